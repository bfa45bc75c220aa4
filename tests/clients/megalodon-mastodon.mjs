// megalodon 10's Mastodon driver, unmodified: the core flow, search, instance, profile.
import generator from "megalodon";
import { check, done, eventually, expect, input, needs } from "./lib.mjs";

const { url, alice, bob } = input();
const a = generator("mastodon", url, alice.token);
const b = generator("mastodon", url, bob.token);

await check("verifyAccountCredentials", async () => {
  const { data } = await a.verifyAccountCredentials();
  expect(data.id === alice.id && data.username === alice.username, "wrong account", data);
});

await check("updateCredentials", async () => {
  const { data } = await a.updateCredentials({ display_name: "Alice Meg", note: "bio" });
  expect(data.display_name === "Alice Meg", "display name not set", data.display_name);
});

await check("followAccount and unfollowAccount", async () => {
  expect((await a.followAccount(bob.id)).data.following === true, "not following");
  expect((await a.unfollowAccount(bob.id)).data.following === false, "still following");
  expect((await a.followAccount(bob.id)).data.following === true, "not following again");
});

await check("postStatus and deleteStatus", async () => {
  const { data: status } = await a.postStatus("megalodon says hello");
  expect("id" in status && status.content.includes("megalodon"), "content", status);
  await a.deleteStatus(status.id);
  const gone = await a.getStatus(status.id).then(
    () => "still there",
    (error) => error.response?.status,
  );
  expect(gone === 404, "deleted status still served", gone);
});

const bobs = await check("bob posts", async () => (await b.postStatus("bob's megalodon news")).data);

await check("favouriteStatus and reblogStatus", async () => {
  const id = needs(bobs, "bob's post").id;
  expect((await a.favouriteStatus(id)).data.favourited === true, "not favourited");
  const { data: reblog } = await a.reblogStatus(id);
  expect(reblog.reblog?.id === id, "not a reblog", reblog);
  expect((await a.unreblogStatus(id)).data.reblogged === false, "still reblogged");
});

await check("getHomeTimeline", async () => {
  const id = needs(bobs, "bob's post").id;
  const { data } = await a.getHomeTimeline({ limit: 20 });
  expect(
    data.some((status) => status.id === id),
    "bob's post missing",
    data.map((s) => s.id),
  );
});

await check("getNotifications", async () => {
  await eventually(async () => {
    const { data } = await b.getNotifications({ limit: 30 });
    const types = data.map((n) => `${n.type}:${n.account?.id}`);
    expect(types.includes(`follow:${alice.id}`), "no follow notification", types);
  });
});

await check("search", async () => {
  const { data } = await a.search(bob.username, { type: "accounts" });
  expect(
    data.accounts.some((account) => account.id === bob.id),
    "bob not found",
    data,
  );
});

await check("getInstance", async () => {
  const { data } = await a.getInstance();
  expect(typeof data.uri === "string", "no uri", data);
  expect(data.contact_account?.username, "no contact account", data.contact_account);
});

await check("getLists and createList", async () => {
  const { data: list } = await a.createList("megalodon friends");
  await a.addAccountsToList(list.id, [bob.id]);
  const { data: lists } = await a.getLists();
  expect(
    lists.some((l) => l.id === list.id),
    "list not listed",
    lists,
  );
  await a.deleteList(list.id);
});

done();
