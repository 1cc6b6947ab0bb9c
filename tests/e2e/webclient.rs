//! The bundled web client's files and the development token endpoint.

use serde_json::{Value, json};

use crate::support::*;

async fn post_token(s: &TestServer, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .post(s.http("/webrtc/dev/token"))
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn the_page_and_its_module_are_served_from_the_binary() {
    let s = spawn();
    for (path, mime, needle) in [
        (
            "/",
            "text/html",
            "<script type=\"module\" src=\"/client/app.js\">",
        ),
        (
            "/client/rtc-client.js",
            "text/javascript",
            "export class RtcClient",
        ),
        (
            "/client/rtc-client.d.ts",
            "application/typescript",
            "export declare class RtcClient extends RoomRestClient",
        ),
        (
            "/client/app.js",
            "text/javascript",
            "from '/client/rtc-client.js'",
        ),
        ("/client/style.css", "text/css", "#videos"),
    ] {
        let r = reqwest::get(s.http(path)).await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(ct.starts_with(mime), "{path}: {ct}");
        let body = r.text().await.unwrap();
        assert!(body.contains(needle), "{path} lacks {needle}");
        // Offline: nothing is loaded from another origin.
        assert!(!body.contains("https://cdn"), "{path} loads from a CDN");
    }
    let r = reqwest::get(s.http("/client/nope.js")).await.unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn dev_tokens_join_rooms_when_enabled() {
    let mut settings = settings();
    settings.auth.dev_tokens = Some(true);
    let s = spawn_with(settings);
    let (status, body) = post_token(&s, json!({"name": "Ann", "room": "dev-room"})).await;
    assert_eq!(status, 200, "{body}");
    let user = body["user_id"].as_str().unwrap().to_owned();
    assert!(user.starts_with("guest-"), "{user}");
    let token = body["token"].as_str().unwrap();
    let mut c = s.connect_token("dev-room", token).await.expect("joins");
    let state = c.expect("room-state").await;
    assert_eq!(state["you"], user.as_str());
    let me = &state["participants"][0];
    assert_eq!(me["name"], "Ann");
    // No role in the token: the first joiner hosts, as for any token.
    assert_eq!(me["role"], "host");
    // The token is for that room only.
    match s.connect_token("other-room", token).await {
        Err(e) => assert!(e.to_string().contains("403"), "{e}"),
        Ok(_) => panic!("a dev token for dev-room joined other-room"),
    }
    // Nobody chooses an id: not someone else's, not their own.
    let (status, bad) = post_token(&s, json!({"user_id": user, "room": "dev-room"})).await;
    assert_eq!(
        (status, bad["error"]["code"].as_str()),
        (422, Some("VALIDATION_ERROR")),
        "{bad}"
    );
    // Every token is for one room, and every caller gets a fresh id.
    let (status, bad) = post_token(&s, json!({"name": "Roomless"})).await;
    assert_eq!(
        (status, bad["error"]["code"].as_str()),
        (422, Some("VALIDATION_ERROR")),
        "{bad}"
    );
    let (_, other) = post_token(&s, json!({"room": "dev-room"})).await;
    assert_ne!(other["user_id"], user.as_str());
    let (status, bad) = post_token(&s, json!({"room": "../etc"})).await;
    assert_eq!(
        (status, bad["error"]["code"].as_str()),
        (400, Some("INVALID_ID"))
    );
    // The page keeps its token: joining again with it resumes the seat.
    drop(c);
    let mut again = s.connect_token("dev-room", token).await.expect("rejoins");
    let state = again.expect("room-state").await;
    assert_eq!(state["you"], user.as_str());
    assert_eq!(state["participants"][0]["role"], "host");
}

#[tokio::test]
async fn dev_tokens_are_off_with_a_real_secret() {
    // spawn() configures a real RTC_JWT_SECRET and leaves RTC_DEV_TOKENS unset.
    let s = spawn();
    let (status, body) = post_token(&s, json!({"name": "Mallory"})).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "NOT_FOUND");
}
