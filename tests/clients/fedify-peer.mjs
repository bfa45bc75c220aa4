// A small ActivityPub server built on Fedify, run by the tests (tests/support/fedify_peer.py) as
// a federation peer that tandem did not write. It serves one actor, `peer`, over plain http on
// loopback, records every activity its inboxes accept, and is driven through a JSON control API
// under /control (loopback tests only, no authentication).
//
//   node fedify-peer.mjs [--port N] [--first-knock rfc9421|draft-cavage-http-signatures-12]
//
// It prints one JSON line {"origin": ..., "actor": ..., "port": N} on stdout once it listens
// (port 0, the default, lets the system pick a free one); everything else goes to stderr.

import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import http from "node:http";
import process from "node:process";

import {
  createExponentialBackoffPolicy,
  createFederation,
  InProcessMessageQueue,
  MemoryKvStore,
} from "@fedify/fedify";
import {
  Accept,
  Activity,
  Create,
  Delete,
  Endpoints,
  Follow,
  isActor,
  Mention,
  Note,
  Person,
  PUBLIC_COLLECTION,
  Reject,
  Tombstone,
  Undo,
  Update,
} from "@fedify/fedify/vocab";
import { Temporal } from "@js-temporal/polyfill";
import { configure, getTextFormatter } from "@logtape/logtape";

const IDENTIFIER = "peer";

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const requestedPort = Number(option("port", "0"));
const firstKnock = option("first-knock", "rfc9421");
const logLevel = option("log-level", process.env.FEDIFY_PEER_LOG_LEVEL ?? "info");

const textFormatter = getTextFormatter();
await configure({
  contextLocalStorage: new AsyncLocalStorage(),
  sinks: { stderr: (record) => process.stderr.write(textFormatter(record)) },
  loggers: [
    { category: "fedify", lowestLevel: logLevel, sinks: ["stderr"] },
    // Why a signature failed to verify is said at debug level only: keep those lines.
    {
      category: ["fedify", "sig", "http"],
      lowestLevel: "debug",
      sinks: ["stderr"],
      parentSinks: "override",
    },
    { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
  ],
});

function log(message) {
  process.stderr.write(`${new Date().toISOString()} [peer] ${message}\n`);
}

// Every outgoing HTTP request (lookups and deliveries alike) with its answer's status: the
// tests read the deliveries to see whether tandem took the peer's signed POSTs, and the log
// shows what Fedify fetched.
const deliveries = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (resource, init = {}) => {
  const request = resource instanceof Request ? resource : null;
  const method = init.method ?? request?.method ?? "GET";
  const url = String(request ? request.url : resource);
  try {
    const response = await realFetch(resource, init);
    log(`${method} ${url} -> ${response.status}`);
    if (method === "POST") {
      const body = response.status >= 300 ? (await response.clone().text()).slice(0, 500) : "";
      deliveries.push({ inbox: url, status: response.status, body });
    }
    return response;
  } catch (error) {
    log(`${method} ${url} -> ${error}`);
    if (method === "POST") deliveries.push({ inbox: url, status: 0, body: String(error) });
    throw error;
  }
};

// State, all in memory: one actor whose keys are made at start.
const profile = {
  name: "Fedify Peer",
  summary: "<p>A Fedify test peer for tandem.</p>",
};
const received = []; // {type, id, actor, object_type, object_id, inbox, verified, json}
const followers = new Map(); // actor URL -> {actor: Actor, followId}
const following = new Map(); // actor URL -> {actor: Actor, follow: Follow, state}
const notes = new Map(); // note id -> Create
const outboxErrors = [];

async function generateKeys() {
  const rsa = await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  );
  const ed25519 = await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"]);
  return [rsa, ed25519];
}
const keyPairs = await generateKeys();

// The control API and the federation share one listener, so the port is known (and the
// origin with it) before the federation object exists.
let federation = null;
let origin = null;

const server = http.createServer((req, res) => {
  handle(req, res).catch((error) => {
    log(`unhandled error on ${req.method} ${req.url}: ${error?.stack ?? error}`);
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
    res.end(String(error));
  });
});
await new Promise((resolve) => server.listen(requestedPort, "127.0.0.1", resolve));
const port = server.address().port;
origin = `http://127.0.0.1:${port}`;

federation = createFederation({
  kv: new MemoryKvStore(),
  origin,
  // Loopback peers only: without this Fedify refuses to fetch 127.0.0.1.
  allowPrivateAddress: true,
  // Deliveries go through a queue so that an Accept is sent after the Follow's request has
  // been answered (a server delivering the Follow is never waiting on its own inbox), and
  // failed deliveries are retried soon: the tests last seconds, not hours.
  queue: { outbox: new InProcessMessageQueue() },
  outboxRetryPolicy: createExponentialBackoffPolicy({
    initialDelay: { milliseconds: 500 },
    maxDelay: { seconds: 5 },
    maxAttempts: 6,
    jitter: false,
  }),
  circuitBreaker: false,
  firstKnock,
  onOutboxError: (error, activity) => {
    log(`delivery of ${activity?.id?.href} failed: ${error}`);
    outboxErrors.push({ activity_id: activity?.id?.href ?? null, error: String(error) });
  },
});

function actorUri(ctx) {
  return ctx.getActorUri(IDENTIFIER);
}

async function buildActor(ctx) {
  const keys = await ctx.getActorKeyPairs(IDENTIFIER);
  return new Person({
    id: ctx.getActorUri(IDENTIFIER),
    preferredUsername: IDENTIFIER,
    name: profile.name,
    summary: profile.summary,
    manuallyApprovesFollowers: false,
    url: ctx.getActorUri(IDENTIFIER),
    inbox: ctx.getInboxUri(IDENTIFIER),
    endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
    outbox: ctx.getOutboxUri(IDENTIFIER),
    followers: ctx.getFollowersUri(IDENTIFIER),
    following: ctx.getFollowingUri(IDENTIFIER),
    publicKey: keys[0].cryptographicKey,
    assertionMethods: keys.map((key) => key.multikey),
  });
}

federation
  .setActorDispatcher("/users/{identifier}", (ctx, identifier) =>
    identifier === IDENTIFIER ? buildActor(ctx) : null,
  )
  .setKeyPairsDispatcher((_ctx, identifier) =>
    identifier === IDENTIFIER
      ? keyPairs.map(({ privateKey, publicKey }) => ({ privateKey, publicKey }))
      : [],
  )
  .mapHandle((_ctx, username) => (username === IDENTIFIER ? IDENTIFIER : null));

federation
  .setFollowersDispatcher("/users/{identifier}/followers", (_ctx, identifier) => {
    if (identifier !== IDENTIFIER) return null;
    return { items: [...followers.values()].map(({ actor }) => actor) };
  })
  .setCounter((_ctx, identifier) => (identifier === IDENTIFIER ? followers.size : null));

federation
  .setFollowingDispatcher("/users/{identifier}/following", (_ctx, identifier) => {
    if (identifier !== IDENTIFIER) return null;
    return {
      items: [...following.values()]
        .filter((entry) => entry.state === "accepted")
        .map(({ actor }) => actor.id),
    };
  })
  .setCounter((_ctx, identifier) =>
    identifier === IDENTIFIER
      ? [...following.values()].filter((entry) => entry.state === "accepted").length
      : null,
  );

federation
  .setOutboxDispatcher("/users/{identifier}/outbox", (_ctx, identifier) => {
    if (identifier !== IDENTIFIER) return null;
    return { items: [...notes.values()].reverse() };
  })
  .setCounter((_ctx, identifier) => (identifier === IDENTIFIER ? notes.size : null));

federation.setObjectDispatcher(Note, "/users/{identifier}/posts/{id}", async (ctx, values) => {
  if (values.identifier !== IDENTIFIER) return null;
  const create = notes.get(ctx.getObjectUri(Note, values).href);
  return create ? await create.getObject() : null;
});

/** The JSON object the sender POSTed, kept by the HTTP glue in the context data. */
function rawJson(ctx) {
  return ctx.data?.raw ?? null;
}

function describe(ctx, activity, verified, reason) {
  const raw = rawJson(ctx);
  const object = raw && typeof raw === "object" ? raw.object : undefined;
  const entry = {
    type: raw?.type ?? activity.constructor.name,
    id: activity.id?.href ?? raw?.id ?? null,
    actor: activity.actorId?.href ?? null,
    object_type: object && typeof object === "object" ? (object.type ?? null) : null,
    object_id:
      typeof object === "string"
        ? object
        : object && typeof object === "object"
          ? (object.id ?? null)
          : (activity.objectId?.href ?? null),
    inbox: ctx.data?.inbox ?? null,
    signature: ctx.data?.signature ?? null,
    // What else could have vouched for it: Fedify verifies a Linked Data signature or an
    // Object Integrity Proof first and then skips the HTTP signature.
    ld_signature: raw?.signature != null,
    proof: raw?.proof != null,
    verified,
    json: raw,
  };
  if (reason !== undefined) entry.reason = reason;
  return entry;
}

function record(ctx, activity) {
  const entry = describe(ctx, activity, true);
  received.push(entry);
  log(`received ${entry.type} ${entry.id} from ${entry.actor} (${entry.inbox} inbox)`);
  return entry;
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Follow, async (ctx, follow) => {
    record(ctx, follow);
    if (follow.objectId?.href !== actorUri(ctx).href) return;
    const follower = await follow.getActor(ctx);
    if (follower == null || follower.id == null || !isActor(follower)) {
      log(`follow ${follow.id?.href}: cannot resolve its actor`);
      return;
    }
    followers.set(follower.id.href, { actor: follower, followId: follow.id?.href ?? null });
    await ctx.sendActivity(
      { identifier: IDENTIFIER },
      follower,
      new Accept({
        id: new URL(`/activities/${randomUUID()}`, origin),
        actor: actorUri(ctx),
        object: follow,
      }),
    );
  })
  .on(Undo, async (ctx, undo) => {
    const entry = record(ctx, undo);
    const actor = undo.actorId?.href;
    const follower = actor ? followers.get(actor) : undefined;
    if (follower == null) return;
    // The Undo names the Follow by id (or embeds it): match the follow this actor made.
    if (entry.object_id === follower.followId || entry.object_type === "Follow") {
      followers.delete(actor);
      return;
    }
    const object = await undo.getObject(ctx).catch(() => null);
    if (object instanceof Follow && object.objectId?.href === actorUri(ctx).href) {
      followers.delete(actor);
    }
  })
  .on(Accept, (ctx, accept) => settleFollow(ctx, accept, "accepted"))
  .on(Reject, (ctx, reject) => settleFollow(ctx, reject, "rejected"))
  .on(Activity, (ctx, activity) => {
    record(ctx, activity);
  })
  .onUnverifiedActivity((ctx, activity, reason) => {
    const entry = describe(ctx, activity, false, reason?.type ?? String(reason));
    received.push(entry);
    log(`UNVERIFIED ${entry.type} ${entry.id} from ${entry.actor}: ${entry.reason}`);
    // Fedify answers 401.
  })
  .onError((ctx, error) => {
    log(`inbox error: ${error?.stack ?? error}`);
    // Fedify refuses what it cannot parse (an activity type it does not know, say) with a 400
    // before checking any signature: such a delivery is recorded, unverified, with the error.
    const raw = rawJson(ctx);
    if (raw != null && typeof raw === "object" && !received.some((entry) => entry.json === raw)) {
      const object = raw.object;
      received.push({
        type: raw.type ?? null,
        id: raw.id ?? null,
        actor: typeof raw.actor === "string" ? raw.actor : (raw.actor?.id ?? null),
        object_type: object && typeof object === "object" ? (object.type ?? null) : null,
        object_id: typeof object === "string" ? object : (object?.id ?? null),
        inbox: ctx.data?.inbox ?? null,
        signature: ctx.data?.signature ?? null,
        ld_signature: raw.signature != null,
        proof: raw.proof != null,
        verified: false,
        error: String(error?.message ?? error),
        json: raw,
      });
    }
  });

function settleFollow(ctx, activity, state) {
  const entry = record(ctx, activity);
  // The answer names our Follow by id or embeds it; failing both, it comes from the
  // followed actor itself.
  for (const item of following.values()) {
    if (item.follow.id?.href === entry.object_id) {
      item.state = state;
      return;
    }
  }
  const item = entry.actor ? following.get(entry.actor) : undefined;
  if (item) item.state = state;
}

// ---- control API ----------------------------------------------------------------------------

function controlContext() {
  return federation.createContext(new URL(origin), { raw: null });
}

async function lookupActor(ctx, target) {
  let url = target;
  // Fedify resolves `acct:` handles with https WebFinger only; loopback tandem speaks http, so a
  // handle is resolved here with a plain WebFinger request.
  const handle = /^@?([^@/]+)@([^@/]+)$/.exec(target);
  if (handle) {
    const resource = `acct:${handle[1]}@${handle[2]}`;
    const response = await realFetch(
      `http://${handle[2]}/.well-known/webfinger?resource=${encodeURIComponent(resource)}`,
      { headers: { accept: "application/jrd+json" } },
    );
    if (!response.ok) throw new ControlError(502, `WebFinger ${resource}: ${response.status}`);
    const jrd = await response.json();
    const self = (jrd.links ?? []).find(
      (link) =>
        link.rel === "self" &&
        /application\/(activity\+json|ld\+json)/.test(link.type ?? "application/activity+json"),
    );
    if (!self?.href) throw new ControlError(502, `WebFinger ${resource}: no self link`);
    url = self.href;
  }
  const actor = await ctx.lookupObject(url);
  if (actor == null || !isActor(actor) || actor.id == null) {
    throw new ControlError(502, `${url} is not an actor (or could not be fetched)`);
  }
  return actor;
}

class ControlError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function audience(ctx, visibility, mentioned) {
  const followersUri = ctx.getFollowersUri(IDENTIFIER);
  const mentionedIds = mentioned.map((actor) => actor.id);
  switch (visibility ?? "public") {
    case "public":
      return { tos: [PUBLIC_COLLECTION], ccs: [followersUri, ...mentionedIds] };
    case "unlisted":
      return { tos: [followersUri], ccs: [PUBLIC_COLLECTION, ...mentionedIds] };
    case "followers":
      return { tos: [followersUri], ccs: mentionedIds };
    case "direct":
      return { tos: mentionedIds, ccs: [] };
    default:
      throw new ControlError(400, `unknown visibility ${visibility}`);
  }
}

async function deliver(ctx, activity, mentioned, toFollowers) {
  if (toFollowers && followers.size > 0) {
    await ctx.sendActivity({ identifier: IDENTIFIER }, "followers", activity, {
      preferSharedInbox: true,
    });
  }
  // (Followers already got it through the followers collection.)
  const others = toFollowers
    ? mentioned.filter((actor) => !followers.has(actor.id.href))
    : mentioned;
  if (others.length > 0) {
    await ctx.sendActivity({ identifier: IDENTIFIER }, others, activity, {
      preferSharedInbox: true,
    });
  }
}

// The default context of /control/send: ActivityStreams plus the extension terms other servers
// send (EmojiReact, custom emoji, Misskey's reaction and quote fields).
const SEND_CONTEXT = [
  "https://www.w3.org/ns/activitystreams",
  "https://w3id.org/security/v1",
  {
    litepub: "http://litepub.social/ns#",
    EmojiReact: "litepub:EmojiReact",
    toot: "http://joinmastodon.org/ns#",
    Emoji: "toot:Emoji",
    misskey: "https://misskey-hub.net/ns#",
    _misskey_reaction: "misskey:_misskey_reaction",
    _misskey_quote: "misskey:_misskey_quote",
    quoteUrl: "as:quoteUrl",
    sensitive: "as:sensitive",
    Hashtag: "as:Hashtag",
  },
];

const control = {
  "GET /control/received": () => received,
  "GET /control/deliveries": () => deliveries,
  "GET /control/outbox-errors": () => outboxErrors,
  "GET /control/followers": () => [...followers.keys()],
  "GET /control/following": () =>
    [...following.entries()].map(([actor, item]) => ({
      actor,
      state: item.state,
      follow_id: item.follow.id.href,
    })),
  "GET /control/actor": () => {
    const ctx = controlContext();
    return {
      origin,
      actor: actorUri(ctx).href,
      inbox: ctx.getInboxUri(IDENTIFIER).href,
      shared_inbox: ctx.getInboxUri().href,
      handle: `${IDENTIFIER}@${new URL(origin).host}`,
      name: profile.name,
      summary: profile.summary,
    };
  },
  "POST /control/follow": async (body) => {
    const ctx = controlContext();
    const actor = await lookupActor(ctx, requireString(body, "actor"));
    const follow = new Follow({
      id: new URL(`/activities/${randomUUID()}`, origin),
      actor: actorUri(ctx),
      object: actor.id,
    });
    following.set(actor.id.href, { actor, follow, state: "pending" });
    await ctx.sendActivity({ identifier: IDENTIFIER }, actor, follow);
    return { follow_id: follow.id.href, actor: actor.id.href };
  },
  "POST /control/unfollow": async (body) => {
    const ctx = controlContext();
    const target = requireString(body, "actor");
    const item = following.get(target);
    if (item == null) throw new ControlError(404, `not following ${target}`);
    const undo = new Undo({
      id: new URL(`/activities/${randomUUID()}`, origin),
      actor: actorUri(ctx),
      object: item.follow,
    });
    following.delete(target);
    await ctx.sendActivity({ identifier: IDENTIFIER }, item.actor, undo);
    return { undo_id: undo.id.href };
  },
  "POST /control/post": async (body) => {
    const ctx = controlContext();
    const content = requireString(body, "content");
    const mentioned = [];
    for (const target of body.mentions ?? []) mentioned.push(await lookupActor(ctx, target));
    const { tos, ccs } = audience(ctx, body.visibility, mentioned);
    const noteId = ctx.getObjectUri(Note, { identifier: IDENTIFIER, id: randomUUID() });
    const published = Temporal.Now.instant();
    const note = new Note({
      id: noteId,
      attribution: actorUri(ctx),
      content,
      url: noteId,
      published,
      tos,
      ccs,
      replyTarget: typeof body.in_reply_to === "string" ? new URL(body.in_reply_to) : null,
      tags: mentioned.map(
        (actor) =>
          new Mention({
            href: actor.id,
            name: `@${actor.preferredUsername}@${actor.id.host}`,
          }),
      ),
    });
    const create = new Create({
      id: new URL(`${noteId.href}/activity`),
      actor: actorUri(ctx),
      object: note,
      published,
      tos,
      ccs,
    });
    notes.set(noteId.href, create);
    await deliver(ctx, create, mentioned, body.visibility !== "direct");
    return { note_id: noteId.href, activity_id: create.id.href };
  },
  "POST /control/delete": async (body) => {
    const ctx = controlContext();
    const noteId = requireString(body, "note_id");
    const create = notes.get(noteId);
    if (create == null) throw new ControlError(404, `no note ${noteId}`);
    notes.delete(noteId);
    const del = new Delete({
      id: new URL(`/activities/${randomUUID()}`, origin),
      actor: actorUri(ctx),
      object: new Tombstone({ id: new URL(noteId) }),
      tos: [PUBLIC_COLLECTION],
      ccs: [ctx.getFollowersUri(IDENTIFIER)],
    });
    await deliver(ctx, del, [], true);
    return { activity_id: del.id.href };
  },
  "POST /control/update-profile": async (body) => {
    const ctx = controlContext();
    if (typeof body.name === "string") profile.name = body.name;
    if (typeof body.summary === "string") profile.summary = body.summary;
    const actor = await buildActor(ctx);
    const update = new Update({
      id: new URL(`/activities/${randomUUID()}`, origin),
      actor: actorUri(ctx),
      object: actor,
      tos: [PUBLIC_COLLECTION],
      ccs: [ctx.getFollowersUri(IDENTIFIER)],
    });
    await deliver(ctx, update, [], true);
    return { activity_id: update.id.href };
  },
  // Any activity (plain JSON), signed by the peer and sent to one actor's inbox or to the
  // followers: for the cases the named calls above do not cover (Like, Announce, Block…).
  "POST /control/send": async (body) => {
    const ctx = controlContext();
    const json = body.activity;
    if (json == null || typeof json !== "object") throw new ControlError(400, "activity: object");
    const withDefaults = {
      "@context": SEND_CONTEXT,
      id: new URL(`/activities/${randomUUID()}`, origin).href,
      ...json,
      actor: actorUri(ctx).href,
    };
    const activity = await Activity.fromJsonLd(withDefaults, ctx);
    if (body.to === "followers") await deliver(ctx, activity, [], true);
    else await deliver(ctx, activity, [await lookupActor(ctx, requireString(body, "to"))], false);
    return { activity_id: activity.id.href };
  },
};

function requireString(body, key) {
  const value = body?.[key];
  if (typeof value !== "string" || value === "") throw new ControlError(400, `${key}: string`);
  return value;
}

// ---- HTTP glue (node:http <-> fetch API) -----------------------------------------------------

function send(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json" });
  res.end(body);
}

async function handle(req, res) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  // The URL the client asked for (its Host header), so signatures over the request target
  // and host verify.
  const url = new URL(req.url, `http://${req.headers.host ?? `127.0.0.1:${port}`}`);

  if (url.pathname.startsWith("/control/")) {
    const action = control[`${req.method} ${url.pathname}`];
    if (action == null) return send(res, 404, { error: `no ${req.method} ${url.pathname}` });
    let parsed = {};
    if (body.length > 0) {
      try {
        parsed = JSON.parse(body.toString("utf8"));
      } catch {
        return send(res, 400, { error: "invalid JSON" });
      }
    }
    try {
      return send(res, 200, await action(parsed));
    } catch (error) {
      log(`control ${req.method} ${url.pathname} failed: ${error?.stack ?? error}`);
      return send(res, error instanceof ControlError ? error.status : 500, {
        error: String(error?.message ?? error),
      });
    }
  }

  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const request = new Request(url, { method: req.method, headers, body: hasBody ? body : null });
  let raw = null;
  if (hasBody) {
    try {
      raw = JSON.parse(body.toString("utf8"));
    } catch {
      raw = null;
    }
  }
  const signature = headers.has("signature-input")
    ? "rfc9421"
    : headers.has("signature")
      ? "draft-cavage"
      : null;
  const inbox = url.pathname === "/inbox" ? "shared" : "personal";
  const response = await federation.fetch(request, {
    contextData: { raw, signature, inbox },
  });
  if (req.method !== "GET" || response.status >= 400) {
    log(`${req.method} ${url.pathname} <- ${response.status}`);
  }
  const out = {};
  response.headers.forEach((value, name) => {
    out[name] = value;
  });
  res.writeHead(response.status, out);
  res.end(Buffer.from(await response.arrayBuffer()));
}

process.stdout.write(`${JSON.stringify({ origin, actor: `${origin}/users/${IDENTIFIER}`, port })}\n`);
log(`listening on ${origin} (first knock ${firstKnock})`);

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close();
    process.exit(0);
  });
}
