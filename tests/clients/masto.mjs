// masto.js 8, unmodified, as an app uses it: token sign-in, profile, follows, statuses,
// favourites and reblogs, search, home timeline, notifications, instance, lists.
import { createRestAPIClient } from "masto";
import { check, done, eventually, expect, input, needs } from "./lib.mjs";

const { url, alice, bob } = input();
const a = createRestAPIClient({ url, accessToken: alice.token });
const b = createRestAPIClient({ url, accessToken: bob.token });

await check("sign in with a token (verify_credentials)", async () => {
  const me = await a.v1.accounts.verifyCredentials();
  expect(me.id === alice.id && me.username === alice.username, "wrong account", me);
  expect(typeof me.source?.privacy === "string", "no source.privacy", me.source);
});

await check("v1.profile.update (PUT /api/v1/profile)", async () => {
  const profile = await a.v1.profile.update({ displayName: "Alice via profile", note: "hi" });
  expect(profile.displayName === "Alice via profile", "display name not set", profile);
});

await check("v1.accounts.updateCredentials (PATCH)", async () => {
  const me = await a.v1.accounts.updateCredentials({ displayName: "Alice M", note: "bio" });
  expect(me.displayName === "Alice M", "display name not set", me.displayName);
  expect(me.note.includes("bio"), "note not set", me.note);
});

await check("follow and unfollow", async () => {
  const followed = await a.v1.accounts.$select(bob.id).follow();
  expect(followed.following === true, "not following", followed);
  const unfollowed = await a.v1.accounts.$select(bob.id).unfollow();
  expect(unfollowed.following === false, "still following", unfollowed);
  const again = await a.v1.accounts.$select(bob.id).follow();
  expect(again.following === true, "not following again", again);
});

await check("post and delete a status", async () => {
  const status = await a.v1.statuses.create({ status: "masto.js says hello" });
  expect(status.content.includes("masto.js says hello"), "content", status.content);
  const deleted = await a.v1.statuses.$select(status.id).remove();
  expect(deleted.id === status.id, "delete answered another status", deleted);
  const gone = await a.v1.statuses
    .$select(status.id)
    .fetch()
    .then(() => "still there", (error) => error.statusCode);
  expect(gone === 404, "deleted status still served", gone);
});

const bobs = await check("bob posts", async () => b.v1.statuses.create({ status: "bob's news" }));

await check("favourite and unfavourite", async () => {
  const id = needs(bobs, "bob's post").id;
  const fav = await a.v1.statuses.$select(id).favourite();
  expect(fav.favourited === true && fav.favouritesCount === 1, "not favourited", fav);
  const unfav = await a.v1.statuses.$select(id).unfavourite();
  expect(unfav.favourited === false, "still favourited", unfav);
  await a.v1.statuses.$select(id).favourite();
});

await check("reblog and unreblog", async () => {
  const id = needs(bobs, "bob's post").id;
  const reblog = await a.v1.statuses.$select(id).reblog();
  expect(reblog.reblog?.id === id && reblog.reblog.reblogged === true, "not reblogged", reblog);
  const undone = await a.v1.statuses.$select(id).unreblog();
  expect(undone.reblogged === false, "still reblogged", undone);
});

await check("v2.search", async () => {
  const found = await a.v2.search.list({ q: bob.username, type: "accounts" });
  expect(
    found.accounts.some((account) => account.id === bob.id),
    "bob not found",
    found,
  );
  const all = await a.v2.search.list({ q: bob.username });
  expect(Array.isArray(all.statuses) && Array.isArray(all.hashtags), "shape", all);
});

await check("home timeline", async () => {
  const id = needs(bobs, "bob's post").id;
  const home = await a.v1.timelines.home.list({ limit: 20 });
  expect(
    home.some((status) => status.id === id),
    "bob's post is not on alice's home timeline",
    home.map((s) => s.id),
  );
});

await check("notifications list", async () => {
  await eventually(async () => {
    const notifications = await b.v1.notifications.list({ limit: 30 });
    const types = notifications.map((n) => `${n.type}:${n.account.id}`);
    expect(types.includes(`follow:${alice.id}`), "no follow notification", types);
    expect(types.includes(`favourite:${alice.id}`), "no favourite notification", types);
  });
});

await check("instance v1", async () => {
  const instance = await a.v1.instance.fetch();
  expect(typeof instance.uri === "string" && instance.configuration, "instance", instance);
});

await check("instance v2", async () => {
  const instance = await a.v2.instance.fetch();
  expect(typeof instance.domain === "string" && instance.configuration, "instance", instance);
});

await check("lists", async () => {
  const list = await a.v1.lists.create({ title: "friends" });
  expect(list.title === "friends", "title", list);
  await a.v1.lists.$select(list.id).accounts.create({ accountIds: [bob.id] });
  const members = await a.v1.lists.$select(list.id).accounts.list();
  expect(
    members.some((account) => account.id === bob.id),
    "bob not in the list",
    members,
  );
  const lists = await a.v1.lists.list();
  expect(
    lists.some((l) => l.id === list.id),
    "list not listed",
    lists,
  );
  await a.v1.timelines.list.$select(list.id).list();
  await a.v1.lists.$select(list.id).remove();
});

done();
