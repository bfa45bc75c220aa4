-- wrk script for the Misskey dialect: every request is a POST with the JSON body in WRK_BODY.
wrk.method = "POST"
wrk.body = os.getenv("WRK_BODY") or "{}"
wrk.headers["Content-Type"] = "application/json"
