// Shared by the client scripts: read the input the pytest module passes, run named checks,
// print one JSON line per check ({check, ok, error?, request?}) for tests/test_js_clients.py.

/** The JSON object the test passes in TANDEM_CLIENT_INPUT (server URL, users, tokens). */
export function input() {
  const raw = process.env.TANDEM_CLIENT_INPUT ?? process.argv[2];
  if (!raw) throw new Error("TANDEM_CLIENT_INPUT (JSON) is required");
  return JSON.parse(raw);
}

// The last HTTP exchange made through fetch (masto.js, misskey-js and our own calls use it),
// so a failing check reports the request and the server's answer, not only the client's error.
let last = null;
const realFetch = globalThis.fetch;
globalThis.fetch = async (resource, init = {}) => {
  const request = resource instanceof Request ? resource : null;
  const method = init.method ?? request?.method ?? "GET";
  const url = String(request ? request.url : resource);
  const response = await realFetch(resource, init);
  const body = await response.clone().text();
  last = { method, url, status: response.status, body: body.slice(0, 600) };
  return response;
};

function describe(error) {
  if (error?.response?.status !== undefined) {
    // axios (megalodon)
    const { config, response } = error;
    const data = typeof response.data === "string" ? response.data : JSON.stringify(response.data);
    return {
      error: String(error.message ?? error),
      request: {
        method: String(config?.method ?? "").toUpperCase(),
        url: config?.url,
        status: response.status,
        body: (data ?? "").slice(0, 600),
      },
    };
  }
  const message =
    error instanceof Error
      ? `${error.name}: ${error.message}`
      : typeof error === "object"
        ? JSON.stringify(error)
        : String(error);
  const out = { error: message.slice(0, 600) };
  if (error?.statusCode !== undefined) out.status = error.statusCode; // masto.js
  if (error instanceof Error && error.stack && !("statusCode" in error)) {
    out.where = error.stack.split("\n").slice(1, 4).join(" | ");
  }
  if (last) out.request = last;
  return out;
}

function emit(line) {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** Run one check: ok unless it throws; the value it returns is kept for later checks. */
export async function check(name, fn) {
  last = null;
  try {
    const value = await fn();
    emit({ check: name, ok: true });
    return value;
  } catch (error) {
    emit({ check: name, ok: false, ...describe(error) });
    return undefined;
  }
}

/** Throw when a client call returned something other than what a user would see. */
export function expect(condition, message, actual) {
  if (!condition) {
    const shown = actual === undefined ? "" : `: got ${JSON.stringify(actual)?.slice(0, 400)}`;
    throw new Error(`${message}${shown}`);
  }
}

/** Require a value an earlier check produced. */
export function needs(value, what) {
  if (value === undefined || value === null) throw new Error(`skipped: ${what} failed earlier`);
  return value;
}

/** Ask again a few times: some effects (notifications) land through the job queue. */
export async function eventually(fn, attempts = 20) {
  let failure;
  for (let i = 0; i < attempts; i += 1) {
    try {
      return await fn();
    } catch (error) {
      failure = error;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
  throw failure;
}

export function done() {
  emit({ done: true });
}
