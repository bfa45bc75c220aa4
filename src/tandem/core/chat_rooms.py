"""Chat rooms: an owner (who has no membership row), up to 50 members, invitations.

Joining needs an invitation (an ignored one still counts) and takes it; the owner cannot
leave or mute its own room. The invitee of a new invitation gets a
`chat_room_invitation_received` notification (Misskey's `chatRoomInvitationReceived`).
"""

from __future__ import annotations

from tandem.core import chat_loading, chat_rules, clock
from tandem.core.chat_messages import room_row
from tandem.core.chat_models import MAX_ROOM_MEMBERS, ChatInvitation, ChatMembership, ChatRoom
from tandem.core.errors import NotFound, Unprocessable
from tandem.core.i18n import Text
from tandem.core.ids import new_id
from tandem.core.models import Account, Notification, Page
from tandem.store import accounts as account_store
from tandem.store import chat_reads as read_store
from tandem.store import chat_rooms as store
from tandem.store import notifications as notification_store
from tandem.store.db import AnyRow, Conn, Database

INVITATION_NOTIFICATION = "chat_room_invitation_received"


async def _shown(conn: Conn, viewer: Account, room_id: int) -> ChatRoom:
    row = await store.get(conn, room_id)
    assert row is not None
    found = await chat_loading.room(conn, viewer.id, row)
    assert found is not None
    return found


async def _owned(conn: Conn, owner: Account, room_id: int) -> AnyRow:
    found = await store.get(conn, room_id)
    if found is None or found.owner_id != owner.id:
        raise NotFound("chat_room")
    return found


async def create(db: Database, owner: Account, name: str, description: str) -> ChatRoom:
    chat_rules.check(owner, "write")
    async with db.write() as conn:
        room_id = new_id()
        await store.insert(
            conn,
            id=room_id,
            owner_id=owner.id,
            name=name,
            description=description,
            created_at=clock.now(),
        )
        return await _shown(conn, owner, room_id)


async def update(
    db: Database, owner: Account, room_id: int, name: str | None, description: str | None
) -> ChatRoom:
    chat_rules.check(owner, "write")
    async with db.write() as conn:
        await _owned(conn, owner, room_id)
        changes = {k: v for k, v in (("name", name), ("description", description)) if v is not None}
        await store.change(conn, room_id, **changes)
        return await _shown(conn, owner, room_id)


async def delete(db: Database, owner: Account, room_id: int) -> None:
    chat_rules.check(owner, "write")
    async with db.write() as conn:
        await _owned(conn, owner, room_id)
        await read_store.clear_room(conn, room_id)
        if not await store.remove(conn, room_id):
            raise NotFound("chat_room")


async def show(db: Database, viewer: Account, room_id: int) -> ChatRoom:
    """Any signed-in user may look at any room (as in Misskey)."""
    chat_rules.check(viewer, "read")
    async with db.read() as conn:
        row = await store.get(conn, room_id)
        found = await chat_loading.room(conn, viewer.id, row) if row is not None else None
    if found is None:
        raise NotFound("chat_room")
    return found


async def join(db: Database, account: Account, room_id: int) -> None:
    chat_rules.check(account, "write")
    async with db.write() as conn:
        room = await store.lock_room(conn, room_id)
        if room is None or await store.invitation(conn, room_id, account.id) is None:
            raise Unprocessable(Text("You have no invitation to this room."), code="NO_INVITATION")
        if await store.member_count(conn, room_id) >= MAX_ROOM_MEMBERS:
            raise _full()
        await store.add_member(conn, new_id(), room_id, account.id, clock.now())
        await store.remove_invitation(conn, room_id, account.id)


def _full() -> Unprocessable:
    return Unprocessable(
        Text("This room has {count} members already.", count=MAX_ROOM_MEMBERS), code="ROOM_IS_FULL"
    )


async def _membership_needed(conn: Conn, account: Account, room_id: int, owner_code: str) -> None:
    room = await store.get(conn, room_id)
    if room is not None and room.owner_id == account.id:
        raise Unprocessable(Text("The owner of a room cannot do this."), code=owner_code)
    if room is None or await store.membership(conn, room_id, account.id) is None:
        raise Unprocessable(Text("You are not a member of this room."), code="NOT_A_ROOM_MEMBER")


async def leave(db: Database, account: Account, room_id: int) -> None:
    chat_rules.check(account, "write")
    async with db.write() as conn:
        await _membership_needed(conn, account, room_id, "OWNER_CANNOT_LEAVE")
        await store.remove_member(conn, room_id, account.id)
        await read_store.clear(conn, account.id, read_store.room_thread(room_id))


async def mute(db: Database, account: Account, room_id: int, muted: bool) -> None:
    chat_rules.check(account, "write")
    async with db.write() as conn:
        await _membership_needed(conn, account, room_id, "OWNER_CANNOT_MUTE")
        await store.set_muted(conn, room_id, account.id, muted)


async def members(db: Database, viewer: Account, room_id: int, page: Page) -> list[ChatMembership]:
    """The members (not the owner); for the owner and members only."""
    chat_rules.check(viewer, "read")
    async with db.read() as conn:
        await room_row(conn, viewer, room_id)
        rows = await store.members_page(conn, room_id, page)
        return await chat_loading.memberships(conn, viewer.id, rows)


async def owned(db: Database, owner: Account, page: Page) -> list[ChatRoom]:
    chat_rules.check(owner, "read")
    async with db.read() as conn:
        rows = await store.owned_page(conn, owner.id, page)
        shown = await chat_loading.rooms(conn, owner.id, rows)
    return [shown[r.id] for r in rows if r.id in shown]


async def joining(db: Database, account: Account, page: Page) -> list[ChatMembership]:
    chat_rules.check(account, "read")
    async with db.read() as conn:
        rows = await store.joining_page(conn, account.id, page)
        return await chat_loading.memberships(conn, account.id, rows)


async def invite(db: Database, owner: Account, room_id: int, invitee_id: int) -> ChatInvitation:
    chat_rules.check(owner, "write")
    async with db.write() as conn:
        await store.lock_room(conn, room_id)
        await _owned(conn, owner, room_id)
        if invitee_id == owner.id:
            raise Unprocessable(Text("You cannot invite yourself."), code="CANNOT_INVITE_YOURSELF")
        invitee = await account_store.get_functional(conn, invitee_id)
        if invitee is None:
            raise NotFound("account")
        if await store.membership(conn, room_id, invitee_id) is not None:
            raise Unprocessable(Text("This user is a member already."), code="ALREADY_A_MEMBER")
        if await store.member_count(conn, room_id) >= MAX_ROOM_MEMBERS:
            raise _full()
        invitation_id, now = new_id(), clock.now()
        if not await store.invite(conn, invitation_id, room_id, invitee_id, now):
            raise Unprocessable(Text("This user is invited already."), code="ALREADY_INVITED")
        await notification_store.insert(
            conn,
            account_id=invitee_id,
            type=INVITATION_NOTIFICATION,
            now=now,
            from_account_id=owner.id,
            payload={"invitation_id": str(invitation_id), "room_id": str(room_id)},
        )
        row = await store.get_invitation(conn, invitation_id)
        assert row is not None
        return (await chat_loading.invitations(conn, owner.id, [row]))[0]


async def inbox(db: Database, account: Account, page: Page) -> list[ChatInvitation]:
    chat_rules.check(account, "read")
    async with db.read() as conn:
        rows = await store.inbox_page(conn, account.id, page)
        return await chat_loading.invitations(conn, account.id, rows)


async def outbox(db: Database, owner: Account, room_id: int, page: Page) -> list[ChatInvitation]:
    chat_rules.check(owner, "read")
    async with db.read() as conn:
        await _owned(conn, owner, room_id)
        rows = await store.outbox_page(conn, room_id, page)
        return await chat_loading.invitations(conn, owner.id, rows)


async def ignore(db: Database, account: Account, room_id: int) -> None:
    chat_rules.check(account, "write")
    async with db.write() as conn:
        if not await store.ignore_invitation(conn, room_id, account.id):
            raise Unprocessable(Text("You have no invitation to this room."), code="NO_INVITATION")


def invitation_of(n: Notification) -> int | None:
    """The invitation a `chat_room_invitation_received` notification names."""
    if n.type != INVITATION_NOTIFICATION:
        return None
    value = n.payload.get("invitation_id")
    return int(value) if isinstance(value, str) and value.isdigit() else None


async def invitations_in(
    conn: Conn, viewer_id: int, invitation_ids: list[int]
) -> dict[int, ChatInvitation]:
    rows = [r for i in sorted(set(invitation_ids)) if (r := await store.get_invitation(conn, i))]
    return {i.id: i for i in await chat_loading.invitations(conn, viewer_id, rows)}


async def can_read(db: Database, account: Account, room_id: int) -> bool:
    """May the account read the room (its owner or a member)? For the `chatRoom` stream."""
    async with db.read() as conn:
        try:
            await room_row(conn, account, room_id)
        except NotFound:
            return False
    return chat_rules.availability(account) != "unavailable"
