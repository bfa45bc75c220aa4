"""What the server is and offers: meta, endpoints, endpoint, ping."""

from __future__ import annotations

from tandem import MISSKEY_COMPAT_VERSION
from tandem.api.misskey.endpoint import REGISTRY, Call, endpoint
from tandem.api.misskey.entities.responses import EndpointInfo, Meta, Pong
from tandem.api.misskey.entities.users import policies
from tandem.api.misskey.schema import P
from tandem.api.misskey.views import ctx
from tandem.core import clock, instance, role_policies, urls


@endpoint("meta", credential=False, allow_get=True, params={"detail": P("boolean", default=True)})
async def meta(call: Call) -> Meta:
    s = call.settings
    stats = await instance.stats(call.db, s.contact_username)
    # Invite-only is Misskey's disableRegistration: its clients then ask for a code.
    registration_open = s.registrations in ("open", "approval")
    role = call.viewer.role if call.viewer is not None else "user"
    data: Meta = {
        "maintainerName": stats.contact.username if stats.contact else None,
        "maintainerEmail": s.contact or None,
        "version": MISSKEY_COMPAT_VERSION,
        "providesTarball": False,
        "name": s.instance_title,
        "shortName": None,
        "uri": s.base_url,
        "description": s.instance_description,
        "langs": [],
        "tosUrl": None,
        "repositoryUrl": s.source_url,
        "feedbackUrl": None,
        "defaultDarkTheme": None,
        "defaultLightTheme": None,
        "clientOptions": {
            "entrancePageStyle": "classic",
            "showTimelineForVisitor": True,
            "showActivitiesForVisitor": True,
        },
        "disableRegistration": not registration_open,
        "emailRequiredForSignup": s.require_email_confirmation,
        "enableHcaptcha": False,
        "hcaptchaSiteKey": None,
        "enableMcaptcha": False,
        "mcaptchaSiteKey": None,
        "mcaptchaInstanceUrl": None,
        "enableRecaptcha": False,
        "recaptchaSiteKey": None,
        "enableTurnstile": False,
        "turnstileSiteKey": None,
        "enableTestcaptcha": False,
        "googleAnalyticsMeasurementId": None,
        "swPublickey": call.services.vapid_key,
        "mascotImageUrl": urls.missing_image(s, "avatar"),
        "bannerUrl": None,
        "serverErrorImageUrl": None,
        "infoImageUrl": None,
        "notFoundImageUrl": None,
        "iconUrl": None,
        "maxNoteTextLength": s.max_status_characters,
        "ads": [],
        "notesPerOneAd": 0,
        "enableEmail": bool(s.smtp_host),
        "enableServiceWorker": True,
        "translatorAvailable": False,
        "sentryForFrontend": None,
        "mediaProxy": f"{s.base_url}/system",
        "enableUrlPreview": False,
        "backgroundImageUrl": None,
        "impressumUrl": None,
        "logoImageUrl": None,
        "privacyPolicyUrl": None,
        "inquiryUrl": None,
        "serverRules": [],
        "themeColor": None,
        # The caller's role's (Misskey answers its base role's: anonymous callers get that).
        "policies": policies(ctx(call), await role_policies.of_role(call.db, role)),
        "noteSearchableScope": "local",
        "maxFileSize": s.max_media_size,
        "federation": "none",
        "enableServerMachineStats": False,
    }
    if call.params["detail"]:
        data.update(
            {
                "features": {
                    "registration": registration_open,
                    "emailRequiredForSignup": s.require_email_confirmation,
                    "localTimeline": True,
                    "globalTimeline": True,
                    "hcaptcha": False,
                    "turnstile": False,
                    "recaptcha": False,
                    "objectStorage": False,
                    "serviceWorker": True,
                    "miauth": True,
                },
                "proxyAccountName": None,
                "requireSetup": stats.contact is None,
                "cacheRemoteFiles": False,
                "cacheRemoteSensitiveFiles": False,
            }
        )
    return data


@endpoint("endpoints", credential=False, allow_get=True)
async def endpoints(call: Call) -> list[str]:
    return sorted(REGISTRY)


@endpoint("endpoint", credential=False, params={"endpoint": P("string", required=True)})
async def endpoint_info(call: Call) -> EndpointInfo | None:
    """The parameters of one endpoint (null for an unknown name, as Misskey answers)."""
    found = REGISTRY.get(call.params["endpoint"])
    if found is None:
        return None
    return {
        "params": [
            {"name": name, "type": spec.type.replace("id", "string").capitalize()}
            for name, spec in found.params.items()
        ]
    }


@endpoint("ping", credential=False, allow_get=True)
async def ping(call: Call) -> Pong:
    return {"pong": int(clock.now().timestamp() * 1000)}
