// megalodon 10's Firefish driver (what megalodon uses for Misskey-family servers), unmodified:
// it signs in through app/create + auth/session, sends the raw accessToken as `i`, and maps
// Mastodon-shaped calls onto Misskey endpoints.
import generator from "megalodon";
import { check, done, expect, input, needs } from "./lib.mjs";

const { url, alice, bob } = input();

// What the user does in their browser between generate and userkey: approve the session
// (Misskey's web client calls auth/accept with the user's own credential).
async function approve(sessionToken, nativeToken) {
  const response = await fetch(`${url}/api/auth/accept`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ i: nativeToken, token: sessionToken }),
  });
  expect(response.status === 204, `auth/accept answered ${response.status}`, await response.text());
}

async function signIn(user) {
  const anon = generator("firefish", url);
  const app = await anon.registerApp("tandem client checks", {
    scopes: ["read:account", "write:account", "read:following", "write:following", "write:notes"],
    redirect_uris: `${url}/callback`,
  });
  expect(app.client_secret && app.session_token, "no app secret or session token", app);
  await approve(app.session_token, user.native);
  const token = await anon.fetchAccessToken(null, app.client_secret, app.session_token);
  expect(token.access_token, "no access token", token);
  return generator("firefish", url, token.access_token);
}

const a = await check("sign in (app/create, auth/session, raw accessToken as i)", async () => {
  const client = await signIn(alice);
  await client.verifyAccountCredentials();
  return client;
});
const b = await check("bob signs in", () => signIn(bob));

await check("verifyAccountCredentials", async () => {
  const { data } = await needs(a, "sign in").verifyAccountCredentials();
  expect(data.id === alice.id && data.username === alice.username, "wrong account", data);
});

await check("updateCredentials (unknown keys ignored)", async () => {
  // megalodon posts these to /api/i, which (in Misskey too) ignores them and answers the
  // account: the call must succeed, though nothing changes.
  const { data } = await needs(a, "sign in").updateCredentials({
    display_name: "Alice Firefish",
    note: "hello from megalodon",
    locked: false,
    bot: false,
  });
  expect(data.id === alice.id, "answered another account", data);
});

await check("followAccount", async () => {
  const { data } = await needs(a, "sign in").followAccount(bob.id);
  expect(data.following === true, "not following", data);
});

await check("postStatus", async () => {
  const { data } = await needs(b, "bob signs in").postStatus("bob via megalodon firefish");
  expect(data.id && data.content.includes("bob via megalodon"), "content", data);
});

// A note of bob's for the reading checks, posted as any Misskey client would, so they do not
// hang on postStatus.
const bobs = await check("bob's note (notes/create, setup)", async () => {
  const response = await fetch(`${url}/api/notes/create`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ i: bob.native, text: "bob's note for the timelines" }),
  });
  expect(response.status === 200, `notes/create answered ${response.status}`);
  return (await response.json()).createdNote;
});

await check("getHomeTimeline", async () => {
  const id = needs(bobs, "bob's post").id;
  const { data } = await needs(a, "sign in").getHomeTimeline({ limit: 20 });
  expect(
    data.some((status) => status.id === id),
    "bob's note missing",
    data.map((s) => s.id),
  );
});

await check("search (accounts)", async () => {
  const { data } = await needs(a, "sign in").search(bob.username, { type: "accounts" });
  expect(
    data.accounts.some((account) => account.id === bob.id),
    "bob not found",
    data,
  );
});

await check("getAccountStatuses (users/notes)", async () => {
  const id = needs(bobs, "bob's post").id;
  const { data } = await needs(a, "sign in").getAccountStatuses(bob.id, { limit: 10 });
  expect(
    data.some((status) => status.id === id),
    "bob's note missing",
    data.map((s) => s.id),
  );
});

done();
