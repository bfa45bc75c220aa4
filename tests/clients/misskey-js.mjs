// misskey-js 2026.5, unmodified: the calls the Misskey web client and bots make most.
import * as Misskey from "misskey-js";
import { check, done, expect, input, needs } from "./lib.mjs";

const { url, alice, bob } = input();
const a = new Misskey.api.APIClient({ origin: url, credential: alice.native });
const b = new Misskey.api.APIClient({ origin: url, credential: bob.native });

await check("i", async () => {
  const me = await a.request("i", {});
  expect(me.id === alice.id && me.username === alice.username, "wrong account", me);
});

await check("i/update", async () => {
  const me = await a.request("i/update", { name: "Alice Misskey", description: "bio" });
  expect(me.name === "Alice Misskey", "name not set", me.name);
});

const alices = await check("notes/create", async () => {
  const { createdNote } = await a.request("notes/create", { text: "misskey-js says hello" });
  expect(createdNote.text === "misskey-js says hello", "text", createdNote);
  return createdNote;
});

await check("following/create", async () => {
  const followed = await a.request("following/create", { userId: bob.id });
  expect(followed.id === bob.id, "answered another user", followed);
});

const bobs = await check("bob's notes/create", async () => {
  const { createdNote } = await b.request("notes/create", { text: "bob on misskey-js" });
  return createdNote;
});

await check("users/show", async () => {
  const user = await a.request("users/show", { userId: bob.id });
  expect(user.username === bob.username && user.isFollowing === true, "user", user);
});

await check("users/notes", async () => {
  const id = needs(bobs, "bob's note").id;
  const notes = await a.request("users/notes", { userId: bob.id, limit: 10 });
  expect(
    notes.some((note) => note.id === id),
    "bob's note missing",
    notes.map((n) => n.id),
  );
});

await check("users/search", async () => {
  const users = await a.request("users/search", { query: bob.username, limit: 10 });
  expect(
    users.some((user) => user.id === bob.id),
    "bob not found",
    users.map((u) => u.username),
  );
});

await check("notes/timeline", async () => {
  const id = needs(bobs, "bob's note").id;
  const own = needs(alices, "alice's note").id;
  const notes = await a.request("notes/timeline", { limit: 20 });
  const ids = notes.map((note) => note.id);
  expect(ids.includes(id) && ids.includes(own), "a note is missing", ids);
});

await check("notes/reactions/create", async () => {
  const id = needs(bobs, "bob's note").id;
  await a.request("notes/reactions/create", { noteId: id, reaction: "👍" });
  const note = await a.request("notes/show", { noteId: id });
  expect(note.reactions?.["👍"] === 1 && note.myReaction === "👍", "reaction", note);
});

await check("i/registry/set with scope ['my-app'] (seed example)", async () => {
  await a.request("i/registry/set", { key: "theme", value: "dark", scope: ["my-app"] });
  const value = await a.request("i/registry/get", { key: "theme", scope: ["my-app"] });
  expect(value === "dark", "value", value);
});

// Streaming and chat: misskey-js-chat.mjs.

done();
