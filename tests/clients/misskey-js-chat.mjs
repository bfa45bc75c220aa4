// misskey-js 2026.5, unmodified: chat as the Misskey web client does it, a direct message
// and a room message sent with api.APIClient and received by the other side's Stream
// (the `chatUser` and `chatRoom` channels) over tandem's /streaming websocket.
import * as Misskey from "misskey-js";
import { check, done, expect, input, needs } from "./lib.mjs";

const { url, alice, bob } = input();
const a = new Misskey.api.APIClient({ origin: url, credential: alice.native });
const b = new Misskey.api.APIClient({ origin: url, credential: bob.native });

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Open a Stream for `token`, resolved once its websocket is open. */
async function openStream(token) {
  const stream = new Misskey.Stream(url, { token });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the stream did not open in 5 s")), 5000);
    stream.once("_connected_", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return stream;
}

/** The first `type` event on `channel` whose payload `matches`, while `send` runs (again,
 * every second: misskey-js's `connect` frame is not acknowledged, so the first message may
 * leave before the server has connected the channel). */
async function receive(channel, type, matches, send) {
  let received;
  const seen = new Promise((resolve) => {
    channel.on(type, (payload) => {
      if (matches(payload)) resolve(payload);
    });
  });
  const deadline = Date.now() + 8000;
  while (received === undefined && Date.now() < deadline) {
    await send();
    received = await Promise.race([seen, sleep(1000).then(() => undefined)]);
  }
  if (received === undefined) throw new Error(`no ${type} event on the channel`);
  return received;
}

await check("the two follow each other (chatScope mutual, Misskey's default)", async () => {
  await a.request("following/create", { userId: bob.id });
  await b.request("following/create", { userId: alice.id });
  const me = await b.request("i", {});
  expect(me.chatScope === "mutual" && me.canChat === true, "chat settings", me);
});

const bobStream = await check("bob opens a Stream", () => openStream(bob.native));
const aliceStream = await check("alice opens a Stream", () => openStream(alice.native));

await check("a DM sent with chat/messages/create-to-user reaches bob's chatUser channel", async () => {
  const channel = needs(bobStream, "bob's stream").useChannel("chatUser", { otherId: alice.id });
  const text = `hello bob ${Date.now()}`;
  const message = await receive(
    channel,
    "message",
    (m) => m.text === text,
    () => a.request("chat/messages/create-to-user", { toUserId: bob.id, text }),
  );
  expect(message.fromUserId === alice.id && message.toUserId === bob.id, "message", message);
});

await check("bob's answer reaches alice's chatUser channel", async () => {
  const channel = needs(aliceStream, "alice's stream").useChannel("chatUser", { otherId: bob.id });
  const text = `hi alice ${Date.now()}`;
  const message = await receive(
    channel,
    "message",
    (m) => m.text === text,
    () => b.request("chat/messages/create-to-user", { toUserId: alice.id, text }),
  );
  expect(message.fromUserId === bob.id, "sender", message);
  const timeline = await a.request("chat/messages/user-timeline", { userId: bob.id, limit: 10 });
  expect(timeline.some((m) => m.text === text), "not in the user timeline", timeline);
});

const room = await check("alice creates a room and bob joins on her invitation", async () => {
  const created = await a.request("chat/rooms/create", { name: "Project Alpha" });
  await a.request("chat/rooms/invitations/create", { roomId: created.id, userId: bob.id });
  const inbox = await b.request("chat/rooms/invitations/inbox", {});
  expect(inbox.some((i) => i.roomId === created.id), "no invitation", inbox);
  await b.request("chat/rooms/join", { roomId: created.id });
  return created;
});

await check("a room message reaches bob's chatRoom channel", async () => {
  const roomId = needs(room, "the room").id;
  const channel = needs(bobStream, "bob's stream").useChannel("chatRoom", { roomId });
  const text = `standup at ten ${Date.now()}`;
  const message = await receive(
    channel,
    "message",
    (m) => m.text === text,
    () => a.request("chat/messages/create-to-room", { toRoomId: roomId, text }),
  );
  expect(message.toRoomId === roomId && message.fromUser?.id === alice.id, "message", message);
});

for (const stream of [bobStream, aliceStream]) stream?.close();
done();
