"""The shapes endpoints answer with around the entities: meta, sign-in steps, favorites,
follow requests, app sessions… (keys in the order the endpoints write them)."""

from typing import Literal, Never, NotRequired, TypedDict

from tandem.api.misskey.entities.types import (
    App,
    MeDetailed,
    Note,
    Policies,
    UserDetailedNotMe,
    UserLite,
)


class MetaFeatures(TypedDict):
    registration: bool
    emailRequiredForSignup: bool
    localTimeline: bool
    globalTimeline: bool
    hcaptcha: bool
    turnstile: bool
    recaptcha: bool
    objectStorage: bool
    serviceWorker: bool
    miauth: bool


class ClientOptions(TypedDict):
    """How Misskey's web client shows the instance to visitors."""

    entrancePageStyle: Literal["classic", "simple"]
    showTimelineForVisitor: bool
    showActivitiesForVisitor: bool


class Meta(TypedDict):
    maintainerName: str | None
    maintainerEmail: str | None
    version: str
    providesTarball: bool
    name: str
    shortName: str | None
    uri: str
    description: str
    langs: list[str]
    tosUrl: str | None
    repositoryUrl: str
    feedbackUrl: str | None
    defaultDarkTheme: str | None
    defaultLightTheme: str | None
    clientOptions: ClientOptions
    disableRegistration: bool
    emailRequiredForSignup: bool
    enableHcaptcha: bool
    hcaptchaSiteKey: str | None
    enableMcaptcha: bool
    mcaptchaSiteKey: str | None
    mcaptchaInstanceUrl: str | None
    enableRecaptcha: bool
    recaptchaSiteKey: str | None
    enableTurnstile: bool
    turnstileSiteKey: str | None
    enableTestcaptcha: bool
    googleAnalyticsMeasurementId: str | None
    swPublickey: str
    mascotImageUrl: str
    bannerUrl: str | None
    serverErrorImageUrl: str | None
    infoImageUrl: str | None
    notFoundImageUrl: str | None
    iconUrl: str | None
    maxNoteTextLength: int
    ads: list[Never]
    notesPerOneAd: int
    enableEmail: bool
    enableServiceWorker: bool
    translatorAvailable: bool
    sentryForFrontend: None
    mediaProxy: str
    enableUrlPreview: bool
    backgroundImageUrl: str | None
    impressumUrl: str | None
    logoImageUrl: str | None
    privacyPolicyUrl: str | None
    inquiryUrl: str | None
    serverRules: list[str]
    themeColor: str | None
    policies: Policies
    noteSearchableScope: Literal["local", "global"]
    maxFileSize: int
    federation: Literal["all", "specified", "none"]
    enableServerMachineStats: bool
    # With `detail` (the default):
    features: NotRequired[MetaFeatures]
    proxyAccountName: NotRequired[str | None]
    requireSetup: NotRequired[bool]
    cacheRemoteFiles: NotRequired[bool]
    cacheRemoteSensitiveFiles: NotRequired[bool]


class EndpointParam(TypedDict):
    name: str
    type: str


class EndpointInfo(TypedDict):
    params: list[EndpointParam]


class Pong(TypedDict):
    pong: int  # the server's clock, in milliseconds


class DriveUsage(TypedDict):
    capacity: int
    usage: int


class CreatedNote(TypedDict):
    createdNote: Note


class NoteFavorite(TypedDict):
    id: str
    createdAt: str
    noteId: str
    note: Note


class FollowRequest(TypedDict):
    id: str
    follower: UserLite
    followee: UserLite


class UserRelation(TypedDict):
    id: str
    isFollowing: bool
    hasPendingFollowRequestFromYou: bool
    hasPendingFollowRequestToYou: bool
    isFollowed: bool
    isBlocking: bool
    isBlocked: bool
    isMuted: bool
    isRenoteMuted: bool


class AuthSessionStarted(TypedDict):
    token: str
    url: str


class AuthSession(TypedDict):
    id: str
    app: App
    token: str


class UserKey(TypedDict):
    accessToken: str
    user: UserDetailedNotMe


class AuthorizedApp(TypedDict):
    """An app holding a token to the account (i/apps)."""

    id: str
    name: str
    createdAt: str
    lastUsedAt: NotRequired[str]  # left out until the token is first used, as Misskey does
    permission: list[str]


class SigninNext(TypedDict):
    """A sign-in step still to take: the password, or the two-factor code."""

    finished: Literal[False]
    next: Literal["password", "totp"]


class SignedIn(TypedDict):
    finished: Literal[True]
    id: str
    i: str  # the native token


class SignedUp(MeDetailed):
    """signup's answer: the new user (with the e-mail keys) and a sign-in token."""

    token: str


class TwoFactorRegistration(TypedDict):
    qr: str
    url: str
    secret: str
    label: str
    issuer: str


class BackupCodes(TypedDict):
    backupCodes: list[str]


class RegistryDetail(TypedDict):
    updatedAt: str
    value: object  # any JSON value the client stored


class RegistryScopes(TypedDict):
    scopes: list[list[str]]
    domain: str | None


class NoteReaction(TypedDict):
    id: str
    createdAt: str
    user: UserLite
    type: str


class NoteState(TypedDict):
    isFavorited: bool
    isMutedThread: bool
