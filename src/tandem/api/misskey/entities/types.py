"""Misskey's JSON entities as TypedDicts: the exact shape each builder and endpoint returns.

Plain dicts at run time (no validation, no cost); mypy checks every builder against them. Keys
are declared in the order the builders write them; the names follow Misskey's packed schemas
(UserLite, UserDetailedNotMe, MeDetailed, Note, DriveFile…). `NotRequired` marks keys sent only
sometimes; `list[Never]` a list this server always sends empty."""

from typing import Literal, Never, NotRequired, TypedDict

from tandem.core.models import CollectionVisibility

MisskeyVisibility = Literal["public", "home", "followers", "specified"]
OnlineStatus = Literal["unknown", "online", "active", "offline"]


class BadgeRole(TypedDict):
    name: str
    iconUrl: str | None
    displayOrder: int


class UserLite(TypedDict):
    id: str
    name: str | None
    username: str
    host: str | None
    avatarUrl: str
    avatarBlurhash: str | None
    avatarDecorations: list[Never]  # no avatar decorations here
    isBot: bool
    isCat: bool
    emojis: dict[str, str]
    onlineStatus: OnlineStatus
    badgeRoles: list[BadgeRole]


class UserField(TypedDict):
    name: str
    value: str


class UserDetailedNotMe(UserLite):
    url: str | None
    uri: str | None
    movedTo: str | None
    alsoKnownAs: list[str] | None
    createdAt: str
    updatedAt: str | None
    lastFetchedAt: str | None
    bannerUrl: str | None
    bannerBlurhash: str | None
    isLocked: bool
    isSilenced: bool
    isSuspended: bool
    description: str | None
    location: str | None
    birthday: str | None
    lang: str | None
    fields: list[UserField]
    verifiedLinks: list[str]
    followersCount: int
    followingCount: int
    notesCount: int
    pinnedNoteIds: list[str]
    pinnedNotes: list["Note"]
    pinnedPageId: str | None
    pinnedPage: None  # no Pages here
    publicReactions: bool
    followingVisibility: CollectionVisibility
    followersVisibility: CollectionVisibility
    roles: list[Never]  # no public roles here
    chatScope: str  # everyone, followers, following, mutual, none
    canChat: bool  # the account's chat availability
    memo: str | None


class UserDetailedWithRelation(UserDetailedNotMe):
    """Someone else seen by a signed-in viewer: their relation follows (Misskey's optional
    UserDetailedNotMe keys; a subtype here, as mypy cannot add NotRequired keys after `**`)."""

    isFollowing: bool
    isFollowed: bool
    hasPendingFollowRequestFromYou: bool
    hasPendingFollowRequestToYou: bool
    isBlocking: bool
    isBlocked: bool
    isMuted: bool
    isRenoteMuted: bool
    notify: Literal["normal", "none"]
    withReplies: bool


class Policies(TypedDict):
    gtlAvailable: bool
    ltlAvailable: bool
    canPublicNote: bool
    mentionLimit: int
    canInitiateConversation: bool
    canCreateContent: bool
    canUpdateContent: bool
    canInvite: bool
    inviteLimit: int
    inviteLimitCycle: int
    inviteExpirationTime: int
    canManageCustomEmojis: bool
    canManageAvatarDecorations: bool
    canSearchNotes: bool
    canSearchUsers: bool
    canUseTranslator: bool
    canHideAds: bool
    canCreateChannel: bool
    driveCapacityMb: int
    maxFileSizeMb: int
    uploadableFileTypes: list[str]
    alwaysMarkNsfw: bool
    canUpdateBioMedia: bool
    pinLimit: int
    antennaLimit: int
    wordMuteLimit: int
    webhookLimit: int
    clipLimit: int
    noteEachClipsLimit: int
    userListLimit: int
    userEachUserListsLimit: int
    rateLimitFactor: int
    avatarDecorationLimit: int
    canImportAntennas: bool
    canImportBlocking: bool
    canImportFollowing: bool
    canImportMuting: bool
    canImportUserLists: bool
    chatAvailability: Literal["available", "readonly", "unavailable"]
    noteDraftLimit: int
    scheduledNoteLimit: int
    watermarkAvailable: bool


class Announcement(TypedDict):
    id: str
    createdAt: str
    updatedAt: str | None
    text: str
    title: str
    imageUrl: str | None
    icon: str  # info, warning, error, success
    display: str  # normal, banner, dialog
    needConfirmationToRead: bool
    silence: bool
    forYou: bool
    isRead: NotRequired[bool]  # signed-in viewers only


class AdminAnnouncement(TypedDict):
    """admin/announcements/list: the moderator's view (no isRead, the read count)."""

    id: str
    createdAt: str
    updatedAt: str | None
    title: str
    text: str
    imageUrl: str | None
    icon: str
    display: str
    isActive: bool
    forExistingUsers: bool
    silence: bool
    needConfirmationToRead: bool
    userId: str | None
    reads: int


class MeDetailed(UserDetailedNotMe):
    avatarId: str | None
    bannerId: str | None
    # Client preferences are stored and returned as the client sent them.
    followedMessage: object
    isModerator: bool
    isAdmin: bool
    injectFeaturedNote: bool
    receiveAnnouncementEmail: bool
    alwaysMarkNsfw: bool
    autoSensitive: bool
    carefulBot: bool
    autoAcceptFollowed: bool
    noCrawle: bool
    preventAiLearning: bool
    isExplorable: bool
    isDeleted: bool
    twoFactorBackupCodesStock: str  # "full", "partial" or "none"
    hideOnlineStatus: bool
    hasUnreadSpecifiedNotes: bool
    hasUnreadMentions: bool
    hasUnreadAnnouncement: bool
    unreadAnnouncements: list[Announcement]
    hasUnreadAntenna: bool
    hasUnreadChannel: bool
    hasUnreadChatMessages: bool
    hasUnreadNotification: bool
    hasPendingReceivedFollowRequest: bool
    unreadNotificationsCount: int
    mutedWords: object
    hardMutedWords: object
    mutedInstances: object
    notificationRecieveConfig: object
    emailNotificationTypes: object
    achievements: list[Never]
    loggedInDays: int
    policies: Policies
    twoFactorEnabled: bool
    usePasswordLessLogin: bool
    securityKeys: bool


class MeDetailedWithSecrets(MeDetailed):
    """MeDetailed as the user's own sign-in (native) token sees it."""

    email: str | None
    emailVerified: bool
    securityKeysList: list[Never]


# Misskey's UserDetailed: someone else (with or without a relation), or oneself.
UserDetailed = UserDetailedNotMe | UserDetailedWithRelation | MeDetailed


class DriveFileProperties(TypedDict, total=False):
    width: int
    height: int


class DriveFile(TypedDict):
    id: str
    createdAt: str
    name: str
    type: str
    md5: str
    size: int
    isSensitive: bool
    blurhash: str | None
    properties: DriveFileProperties
    url: str
    thumbnailUrl: str | None
    comment: str | None
    folderId: str | None
    folder: None  # no folders here
    userId: str | None
    user: UserLite | None


class NotePollChoice(TypedDict):
    text: str
    votes: int
    isVoted: bool


class NotePoll(TypedDict):
    multiple: bool
    expiresAt: str | None
    choices: list[NotePollChoice]


class Note(TypedDict):
    id: str
    createdAt: str
    userId: str
    user: UserLite
    text: str | None
    cw: str | None
    visibility: MisskeyVisibility
    localOnly: bool
    reactionAcceptance: str | None
    renoteCount: int
    repliesCount: int
    reactionCount: int
    reactions: dict[str, int]
    reactionEmojis: dict[str, str]
    emojis: NotRequired[dict[str, str]]
    fileIds: list[str]
    files: list[DriveFile]
    replyId: str | None
    renoteId: str | None
    clippedCount: int
    tags: NotRequired[list[str]]
    mentions: NotRequired[list[str]]
    visibleUserIds: NotRequired[list[str]]
    renote: NotRequired["Note"]
    myReaction: NotRequired[str | None]  # for a signed-in viewer
    poll: NotRequired[NotePoll]  # only on notes that carry one
    uri: NotRequired[str]  # another server's notes: the ActivityPub id
    url: NotRequired[str]  # and its page


class Webhook(TypedDict):
    id: str
    userId: str
    name: str
    on: list[str]
    url: str
    secret: str
    active: bool
    latestSentAt: str | None
    latestStatus: int | None


class Signin(TypedDict):
    id: str
    createdAt: str
    ip: str
    headers: dict[str, str]
    success: bool


class Antenna(TypedDict):
    id: str
    createdAt: str
    name: str
    keywords: list[list[str]]
    excludeKeywords: list[list[str]]
    src: str
    userListId: str | None
    users: list[str]
    caseSensitive: bool
    localOnly: bool
    excludeBots: bool
    withReplies: bool
    withFile: bool
    isActive: bool
    hasUnreadNote: bool
    notify: bool
    excludeNotesInSensitiveChannel: bool


class Clip(TypedDict):
    id: str
    createdAt: str
    lastClippedAt: str | None
    userId: str
    user: UserLite
    name: str
    description: str | None
    isPublic: bool
    favoritedCount: int
    isFavorited: bool


class UserList(TypedDict):
    id: str
    createdAt: str
    name: str
    userIds: list[str]
    isPublic: bool


class GroupedReaction(TypedDict):
    user: UserLite
    reaction: str


class Notification(TypedDict):
    id: str
    createdAt: str
    type: str
    userId: NotRequired[str]
    user: NotRequired[UserLite]
    note: NotRequired[Note]
    reaction: NotRequired[str]
    message: NotRequired[None]
    reactions: NotRequired[list[GroupedReaction]]  # reaction:grouped
    users: NotRequired[list[UserLite]]  # renote:grouped
    # From the payload the job stored, as it stored it:
    exportedEntity: NotRequired[object]
    fileId: NotRequired[object]
    header: NotRequired[object]
    body: NotRequired[object]
    icon: NotRequired[None]
    invitation: NotRequired[object]  # chatRoomInvitationReceived: a ChatRoomInvitation


class Following(TypedDict):
    id: str  # the follow's id, the paging cursor
    createdAt: str
    followeeId: str
    followerId: str


class FollowingWithFollower(Following):
    follower: "UserDetailed"


class FollowingWithFollowee(Following):
    followee: "UserDetailed"


class Blocking(TypedDict):
    id: str
    createdAt: str
    blockeeId: str
    blockee: "UserDetailed"


class Muting(TypedDict):
    id: str
    createdAt: str
    muteeId: str
    mutee: "UserDetailed"
    expiresAt: str | None


class App(TypedDict):
    id: str
    name: str
    callbackUrl: str | None
    permission: list[str]
    secret: NotRequired[str]  # to the app's owner only


class SwSubscription(TypedDict):
    """`sw/show-registration`, `sw/update-registration`."""

    userId: str
    endpoint: str
    sendReadMessage: bool


class SwRegistration(SwSubscription):
    """`sw/register`: `key` is the server's VAPID public key (meta.swPublickey)."""

    state: Literal["subscribed", "already-subscribed"]
    key: str | None
