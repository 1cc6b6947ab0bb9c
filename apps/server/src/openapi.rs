//! The OpenAPI 3.1 document at `/openapi.json` and its offline viewer at
//! `/docs`, generated from the handlers.
//!
//! Each handler carries `#[utoipa::path]` (method, path, tag, summary,
//! security, parameters, request and response bodies); each feature module
//! keeps a `#[derive(OpenApi)] struct Doc` listing its handlers right next to
//! the `configure` that serves them, and [`document`] merges those. What
//! every operation shares is added here once: an `operationId` made of the
//! method and path (stable for generated clients), the path parameters, the
//! `4XX`/`5XX` answers with the `Error` schema (built from the error-code
//! table) and the security schemes.
//!
//! Why not `utoipa-actix-web`, which registers and documents in one call: it
//! needs actix's route macros on every handler, and several routes here are
//! resources with their own body limits or guards; merging per-feature docs
//! kept registration as it was.
//!
//! Completeness without a registry: [`served_paths`] reads the paths the
//! app really serves from actix's own resource map, and the e2e test
//! `openapi_document_is_valid_3_1_and_lists_every_route` compares them with
//! the document both ways, so a route served but not documented (or the
//! reverse) fails it. The map knows paths, not methods; the methods of a
//! documented path come from its handlers' attributes.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use actix_web::{App, HttpResponse, http::header, web};
use serde_json::{Map, Value, json};
use signaling_core::ErrorCode;
use signaling_core::ratelimit::LimitKind;
use utoipa::OpenApi;

use crate::AppState;

/// `{key:.*}` → `{key}`: actix patterns as OpenAPI paths.
pub fn normalize(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let (mut in_brace, mut skip) = (false, false);
    for c in path.chars() {
        match c {
            '{' => (in_brace, skip) = (true, false),
            '}' => (in_brace, skip) = (false, false),
            ':' if in_brace => {
                skip = true;
                continue;
            }
            _ if skip => continue,
            _ => {}
        }
        out.push(c);
    }
    out
}

/// The path of every resource the app built by [`crate::configure_app`]
/// serves, read from actix's own resource map (so a route registered any
/// way at all is listed), as OpenAPI paths.
///
/// actix offers no iterator over its `ResourceDef`s, only their `Debug`
/// form, which this reads; the e2e test `openapi_document_is_valid_3_1_and_lists_every_route`
/// fails if that form ever changes.
pub async fn served_paths(state: AppState) -> BTreeSet<String> {
    let seen = std::rc::Rc::new(std::cell::RefCell::new(String::new()));
    let sink = seen.clone();
    let app = actix_web::test::init_service(
        App::new()
            .wrap_fn(move |req, srv| {
                *sink.borrow_mut() = format!("{:?}", req.resource_map());
                actix_web::dev::Service::call(srv, req)
            })
            .configure(crate::configure_app(web::Data::new(state))),
    )
    .await;
    let req = actix_web::test::TestRequest::get()
        .uri("/no-such-route")
        .to_request();
    let _ = actix_web::test::call_service(&app, req).await;
    let text = seen.borrow().clone();
    patterns_in(&text)
}

/// Every `patterns: Single("…")` of a resource map's `Debug` form.
fn patterns_in(debug: &str) -> BTreeSet<String> {
    const MARK: &str = "patterns: Single(\"";
    let mut out = BTreeSet::new();
    let mut rest = debug;
    while let Some(i) = rest.find(MARK) {
        rest = &rest[i + MARK.len()..];
        let end = rest.find('"').unwrap_or(rest.len());
        if !rest[..end].is_empty() {
            out.insert(normalize(&rest[..end]));
        }
        rest = &rest[end..];
    }
    out
}

/// Method and path of every documented operation.
pub fn documented() -> BTreeSet<(String, String)> {
    let doc = document();
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in item.as_object().into_iter().flatten().map(|(m, _)| m) {
            out.insert((method.to_uppercase(), path.clone()));
        }
    }
    out
}

/// The operations documented by `#[utoipa::path]` on their handlers, one
/// `Doc` per feature module, kept next to the `configure` that serves them.
fn generated() -> utoipa::openapi::OpenApi {
    use crate::routes::{
        breakout, hands, history, ops, participants, reconnect, recordings, streams, waiting,
    };
    let mut doc = crate::ws::Doc::openapi();
    for more in [
        ops::Doc::openapi(),
        participants::Doc::openapi(),
        hands::Doc::openapi(),
        waiting::Doc::openapi(),
        breakout::Doc::openapi(),
        streams::Doc::openapi(),
        reconnect::Doc::openapi(),
        history::Doc::openapi(),
        recordings::Doc::openapi(),
        crate::recordings::Doc::openapi(),
        crate::hls::Doc::openapi(),
        crate::transfers::Doc::openapi(),
        crate::webclient::Doc::openapi(),
        crate::admin::Doc::openapi(),
        crate::admin_webhooks::Doc::openapi(),
        Doc::openapi(),
    ] {
        doc.merge(more);
    }
    doc
}

/// What of the configuration changes the document: whether the admin API
/// is on, whether the operations endpoints need `RTC_METRICS_TOKEN`, and
/// whether `/webrtc/config` needs a token (TURN).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variant {
    /// The admin API is on: its operations are listed (when it is off its
    /// routes are not registered, so they answer 404 like any unknown path).
    pub admin_api: bool,
    /// `/metrics`, `/webrtc/stats` and `/webrtc/webrtc-metrics` need
    /// `Authorization: Bearer <RTC_METRICS_TOKEN>`.
    pub metrics_token: bool,
    /// TURN servers are configured: `/webrtc/config` hands out credentials
    /// bound to the caller, so it needs a token.
    pub turn: bool,
}

impl Variant {
    /// The variant these settings serve.
    pub fn of(settings: &crate::Settings) -> Self {
        Variant {
            admin_api: crate::admin::enabled(settings),
            metrics_token: settings.ops.metrics_token.is_some(),
            turn: !settings.ice.turn_urls.is_empty(),
        }
    }

    fn index(self) -> usize {
        usize::from(self.admin_api)
            | usize::from(self.metrics_token) << 1
            | usize::from(self.turn) << 2
    }
}

/// The document of what a server with these settings serves.
pub fn document_for(variant: Variant) -> Value {
    let mut doc = document();
    let paths = doc["paths"].as_object_mut().expect("paths");
    if !variant.admin_api {
        paths.retain(|p, _| !p.starts_with(crate::admin::PREFIX));
    }
    if variant.metrics_token {
        for path in crate::guard::OPS_PATHS {
            for op in paths
                .get_mut(path)
                .and_then(Value::as_object_mut)
                .into_iter()
                .flat_map(|item| item.values_mut())
            {
                op["security"] = json!([{"metrics_token": []}]);
            }
        }
    }
    if variant.turn
        && let Some(op) = paths
            .get_mut("/webrtc/config")
            .and_then(|i| i.get_mut("get"))
    {
        op["security"] = json!([{"bearer": []}, {"query_token": []}]);
    }
    let paths = paths.clone();
    doc["tags"] = json!(tags(&paths));
    doc
}

/// The document as served, and the methods of each of its paths, built once
/// per [`Variant`].
struct Served {
    text: String,
    methods: Vec<(Vec<Option<String>>, String, Vec<String>)>,
}

fn served(variant: Variant) -> &'static Served {
    static DOCS: [OnceLock<Served>; 8] = [const { OnceLock::new() }; 8];
    DOCS[variant.index()].get_or_init(|| {
        let doc = document_for(variant);
        let mut methods = Vec::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            let segments = path
                .split('/')
                .map(|s| (!s.starts_with('{')).then(|| s.to_owned()))
                .collect();
            let list = item
                .as_object()
                .into_iter()
                .flatten()
                .map(|(m, _)| m.to_uppercase())
                .collect();
            methods.push((segments, path.clone(), list));
        }
        Served {
            text: doc.to_string(),
            methods,
        }
    })
}

/// The whole document as committed in `docs/openapi.json` (pretty, with a
/// final newline), which the TypeScript client's REST types are generated
/// from; `rtc-server openapi` prints it.
pub fn document_text() -> String {
    let mut text = serde_json::to_string_pretty(&document()).expect("document serializes");
    text.push('\n');
    text
}

/// Builds the whole document, every operation included.
pub fn document() -> Value {
    let generated = serde_json::to_value(generated()).expect("document serializes");
    let mut paths: Map<String, Value> = Map::new();
    for (path, item) in generated["paths"].as_object().into_iter().flatten() {
        let mut ops = Map::new();
        for (method, op) in item.as_object().into_iter().flatten() {
            ops.insert(method.clone(), complete(method, path, op.clone()));
        }
        paths.insert(path.clone(), Value::Object(ops));
    }
    add_links(&mut paths);
    let mut schemas = generated["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    schemas.insert("Error".into(), error_schema());
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "rtc-server",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Self-hosted WebRTC signaling and collaboration backend. The WebSocket protocol is in docs/protocol.md; error codes in docs/errors.md.",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "tags": tags(&paths),
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": {
                "Error": {"description": "An error with a stable code", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            },
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "query_token": {"type": "apiKey", "in": "query", "name": "token"},
                "admin": {"type": "http", "scheme": "basic", "description": "RTC_ADMIN_API_KEY:RTC_ADMIN_API_SECRET"},
                "metrics_token": {"type": "http", "scheme": "bearer", "description": "RTC_METRICS_TOKEN, when set"},
            },
        },
    })
}

/// OpenAPI links from an answer to the operations that act on what it
/// created, where the id sits deeper than a tool could guess: the room an
/// admin creates is `room.room_id` in the answer.
fn add_links(paths: &mut Map<String, Value>) {
    let room = json!({"room_id": "$response.body#/room/room_id"});
    let links = [(
        "/webrtc/admin/rooms",
        "post",
        "201",
        [
            ("GetRoom", "get_webrtc_admin_rooms_room_id", &room),
            ("CloseRoom", "delete_webrtc_admin_rooms_room_id", &room),
            (
                "SetMetadata",
                "post_webrtc_admin_rooms_room_id_metadata",
                &room,
            ),
            ("SendData", "post_webrtc_admin_rooms_room_id_data", &room),
        ],
    )];
    for (path, method, status, targets) in links {
        let Some(answer) = paths
            .get_mut(path)
            .and_then(|item| item.get_mut(method))
            .and_then(|op| op["responses"].get_mut(status))
        else {
            continue;
        };
        let mut map = Map::new();
        for (name, op_id, params) in targets {
            map.insert(
                name.into(),
                json!({"operationId": op_id, "parameters": params}),
            );
        }
        answer["links"] = Value::Object(map);
    }
}

fn tags(paths: &Map<String, Value>) -> Vec<Value> {
    let mut seen: Vec<&str> = Vec::new();
    for item in paths.values() {
        for op in item.as_object().into_iter().flatten().map(|(_, o)| o) {
            for t in op["tags"].as_array().into_iter().flatten() {
                if let Some(t) = t.as_str().filter(|t| !seen.contains(t)) {
                    seen.push(t);
                }
            }
        }
    }
    seen.into_iter().map(|t| json!({"name": t})).collect()
}

/// What every generated operation shares: an id made of its method and
/// path, its path parameters, and the error answers.
fn complete(method: &str, path: &str, mut op: Value) -> Value {
    op["operationId"] = json!(id_of(method, path));
    if op["security"] == json!([{}]) {
        op["security"] = json!([]);
    }
    // Path parameters always come from `path_param`, even where a handler
    // declared one, so each segment is described the same everywhere.
    let params: Vec<Value> = op["parameters"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|p| p["in"] != "path")
        .collect();
    let mut all: Vec<Value> = path_params(path)
        .map(|name| {
            let (schema, doc) = path_param(name);
            json!({"name": name, "in": "path", "required": true,
                   "schema": schema, "description": doc})
        })
        .collect();
    all.extend(params);
    op["parameters"] = json!(all);
    let responses = op["responses"].as_object_mut().expect("responses");
    for range in ["4XX", "5XX"] {
        responses.insert(
            range.into(),
            json!({"$ref": "#/components/responses/Error"}),
        );
    }
    op
}

fn id_of(method: &str, path: &str) -> String {
    let mut id = method.to_lowercase();
    for part in path.split(['/', '-', '.']).filter(|p| !p.is_empty()) {
        id.push('_');
        id.push_str(part.trim_matches(|c| c == '{' || c == '}'));
    }
    if path == "/" {
        id.push_str("_index");
    }
    id
}

fn path_params(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
}

/// The schema and description of a path parameter, by name: the one place
/// that says what each path segment accepts. Ids of rooms and users are
/// the kernel's [`kernel::id_schema`] (what `RoomId::parse` accepts); other
/// ids are looked up as given, so any string is valid and an unknown one is
/// 404.
fn path_param(name: &str) -> (Value, &'static str) {
    let schema = |s: utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>| {
        serde_json::to_value(s).expect("schema serializes")
    };
    let any = json!({"type": "string", "minLength": 1});
    let count = json!({"type": "integer", "minimum": 0, "maximum": i64::MAX});
    match name {
        "room_id" => (schema(kernel::id_schema("room id")), "Room id"),
        "user_id" => (schema(kernel::id_schema("user id")), "User id"),
        "action" => (
            json!({"type": "string", "enum": ["stop", "pause", "resume", "cancel"]}),
            "What to do with the recording",
        ),
        "limit_type" => (
            json!({"type": "string", "enum": LimitKind::ALL.map(|k| k.as_str())}),
            "A rate-limit kind",
        ),
        "seq" => (
            json!({"type": "integer", "minimum": 0, "maximum": recording::pipeline::MAX_SEQUENCE}),
            "The chunk's sequence number",
        ),
        "index" => (count, "The chunk's index, from 0"),
        "expires" => (
            json!({"type": "integer", "minimum": i64::MIN, "maximum": i64::MAX}),
            "Expiry of the link, Unix seconds",
        ),
        "file" => (
            json!({"type": "string", "pattern": r"^(index\.m3u8|seg_[0-9]{1,9}\.ts)$"}),
            "index.m3u8 or a segment seg_N.ts",
        ),
        "key" => (any, "The signed object key"),
        "sig" => (any, "The link's signature"),
        "recording_id" => (any, "Recording id"),
        "breakout_id" => (any, "Breakout room id"),
        "stream_id" => (any, "Live stream id"),
        "id" => (any, "Transfer id"),
        "endpoint" => (
            json!({"type": "string", "pattern": crate::hooks::endpoints::NAME_PATTERN}),
            "A webhook endpoint's name (default: RTC_WEBHOOK_URL's)",
        ),
        other => panic!("path parameter {other} has no entry in openapi::path_param"),
    }
}

/// `{"error": {code, message, hint, retry_after}}` with every code.
fn error_schema() -> Value {
    let codes: Vec<Value> = ErrorCode::ALL
        .iter()
        .map(|c| {
            json!({"const": c.as_str(), "description": format!("HTTP {}. {}", c.http_status(), c.hint())})
        })
        .collect();
    json!({
        "type": "object",
        "required": ["error"],
        "properties": {"error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"oneOf": codes},
                "message": {"type": "string"},
                "hint": {"type": "string"},
                "retry_after": {"type": ["integer", "null"], "description": "Seconds, for RATE_LIMIT_EXCEEDED"},
            },
        }},
    })
}

/// The documented paths a request path matches, with their methods and
/// how many of their segments are literal (a `{parameter}` matches one
/// segment; a path that only a multi-segment pattern such as `{key:.*}`
/// serves is found through the pattern actix matched).
fn matching(
    variant: Variant,
    path: &str,
    served_pattern: Option<&str>,
) -> Vec<(usize, &'static [String])> {
    let parts: Vec<&str> = path.split('/').collect();
    let table = &served(variant).methods;
    let mut out: Vec<(usize, &'static [String])> = table
        .iter()
        .filter(|(segs, _, _)| {
            segs.len() == parts.len()
                && segs.iter().zip(&parts).all(|(s, p)| match s {
                    Some(lit) => lit == p,
                    None => !p.is_empty(),
                })
        })
        .map(|(segs, _, m)| (segs.iter().flatten().count(), m.as_slice()))
        .collect();
    if out.is_empty()
        && let Some(pattern) = served_pattern.map(normalize)
    {
        out.extend(
            table
                .iter()
                .filter(|(_, p, _)| *p == pattern)
                .map(|(segs, _, m)| (segs.iter().flatten().count(), m.as_slice())),
        );
    }
    out
}

/// Every method some documented path matching `path` declares: what the
/// router may route (`/file-transfer/offer` matches both `…/offer` and
/// `…/{id}`). The guard judges a request unless its method is not here.
pub fn allowed_methods(
    variant: Variant,
    path: &str,
    served_pattern: Option<&str>,
) -> BTreeSet<String> {
    matching(variant, path, served_pattern)
        .into_iter()
        .flat_map(|(_, m)| m.iter().cloned())
        .collect()
}

/// The methods of the most specific documented path matching `path` (most
/// literal segments, as OpenAPI matches concrete paths before templated
/// ones): the `Allow` header of a 405.
fn resource_methods(
    variant: Variant,
    path: &str,
    served_pattern: Option<&str>,
) -> BTreeSet<String> {
    let found = matching(variant, path, served_pattern);
    let best = found.iter().map(|(n, _)| *n).max().unwrap_or(0);
    found
        .into_iter()
        .filter(|(n, _)| *n == best)
        .flat_map(|(_, m)| m.iter().cloned())
        .collect()
}

/// What the app answers when no route took the request: `405
/// METHOD_NOT_ALLOWED` with an `Allow` header when the path is documented
/// with other methods, else `404 NOT_FOUND`.
pub async fn not_routed(req: actix_web::HttpRequest) -> HttpResponse {
    let variant = req
        .app_data::<web::Data<AppState>>()
        .map(|s| Variant::of(&s.settings))
        .unwrap_or(Variant {
            admin_api: false,
            metrics_token: false,
            turn: false,
        });
    // The path as the router matched it (percent-decoded).
    let path = req.match_info().as_str();
    let pattern = req.resource_map().match_pattern(path);
    let allowed = resource_methods(variant, path, pattern.as_deref());
    let (code, message) = if allowed.is_empty() || allowed.contains(req.method().as_str()) {
        (ErrorCode::NotFound, "no such route".to_owned())
    } else {
        (
            ErrorCode::MethodNotAllowed,
            format!("{} is not served here", req.method()),
        )
    };
    let mut res = actix_web::ResponseError::error_response(&crate::http_error::ApiError(
        signaling_core::SignalError::new(code, message),
    ));
    if code == ErrorCode::MethodNotAllowed {
        let list = allowed.into_iter().collect::<Vec<_>>().join(", ");
        if let Ok(v) = header::HeaderValue::from_str(&list) {
            res.headers_mut().insert(header::ALLOW, v);
        }
    }
    res
}

/// Raw bytes in a request or response body (`type: string, format:
/// binary`), for uploads and downloads of media and files.
pub struct Binary;

impl utoipa::PartialSchema for Binary {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .into()
    }
}

impl utoipa::ToSchema for Binary {}

/// This module's own operations.
#[derive(OpenApi)]
#[openapi(paths(openapi_json, docs_page))]
struct Doc;

/// Registers `/openapi.json` and `/docs`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/openapi.json", web::get().to(openapi_json))
        .route("/docs", web::get().to(docs_page));
}

#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "Operations",
    summary = "This document",
    security(()),
    responses((status = 200, description = "OpenAPI 3.1", body = Object)),
)]
async fn openapi_json(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(served(Variant::of(&state.settings)).text.as_str())
}

#[utoipa::path(
    get,
    path = "/docs",
    tag = "Operations",
    summary = "A page that renders this document (works offline)",
    security(()),
    responses((status = 200, description = "The viewer", content_type = "text/html", body = String)),
)]
async fn docs_page() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(include_str!("../web/docs.html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Variant = Variant {
        admin_api: false,
        metrics_token: false,
        turn: false,
    };
    const ADMIN: Variant = Variant {
        admin_api: true,
        metrics_token: false,
        turn: false,
    };

    #[test]
    fn allowed_methods_come_from_the_document() {
        let hand = allowed_methods(PLAIN, "/webrtc/rooms/r1/hand-raise", None);
        assert_eq!(hand, BTreeSet::from(["POST".to_owned()]));
        assert!(allowed_methods(PLAIN, "/webrtc/rooms/r1/nothing-here", None).is_empty());
        let link = allowed_methods(PLAIN, "/webrtc/links/a/b/c", Some("/webrtc/links/{key:.*}"));
        assert_eq!(link, BTreeSet::from(["GET".to_owned()]));
        let admin = "/webrtc/admin/rooms";
        assert_eq!(allowed_methods(ADMIN, admin, None).len(), 2);
        assert!(allowed_methods(PLAIN, admin, None).is_empty());
        // `…/offer` also matches `…/{id}`: the router may route a DELETE
        // there, but the resource `…/offer` itself takes only POST.
        let offer = "/webrtc/rooms/r1/file-transfer/offer";
        assert!(allowed_methods(PLAIN, offer, None).contains("DELETE"));
        assert_eq!(
            resource_methods(PLAIN, offer, None),
            BTreeSet::from(["POST".to_owned()])
        );
    }

    /// Each configuration gets the document of what it serves: admin
    /// operations only while the admin API is on, and the operations
    /// endpoints behind the metrics token only while one is set.
    #[test]
    fn the_document_follows_the_configuration() {
        let plain = document_for(PLAIN);
        assert!(plain["paths"].get("/webrtc/admin/rooms").is_none());
        assert_eq!(plain["paths"]["/metrics"]["get"]["security"], json!([]));
        assert_eq!(
            plain["paths"]["/webrtc/config"]["get"]["security"],
            json!([])
        );
        let both = document_for(Variant {
            admin_api: true,
            metrics_token: true,
            turn: true,
        });
        assert_eq!(
            both["paths"]["/webrtc/config"]["get"]["security"],
            json!([{"bearer": []}, {"query_token": []}])
        );
        assert!(both["paths"]["/webrtc/admin/rooms"]["get"].is_object());
        assert_eq!(
            both["paths"]["/webrtc/stats"]["get"]["security"],
            json!([{"metrics_token": []}])
        );
    }

    /// `docs/openapi.json` (the source of the TypeScript client's REST
    /// types) is the document the handlers generate.
    #[test]
    fn docs_openapi_json_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json");
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == document_text(),
            "docs/openapi.json differs from the handlers' document: run `just openapi` and commit it"
        );
    }

    /// Names the engine sanitizes away to nothing are refused by the
    /// document too: its pattern is the sanitizer's own.
    #[test]
    fn name_patterns_are_the_sanitizers() {
        let doc = document();
        let schemas = &doc["components"]["schemas"];
        let visible = signaling_core::sanitize::VISIBLE_PATTERN;
        assert_eq!(
            schemas["BreakoutBody"]["properties"]["name"]["pattern"],
            visible
        );
        assert_eq!(
            schemas["ParticipantUpdateReq"]["properties"]["display_name"]["pattern"],
            visible
        );
        let search = &doc["paths"]["/webrtc/rooms/{room_id}/chat/search"]["get"]["parameters"];
        let q = search
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "q")
            .unwrap();
        assert_eq!(q["schema"]["pattern"], visible);
        assert_eq!(
            schemas["OfferReq"]["properties"]["file_name"]["pattern"],
            file_transfer::FILE_NAME_PATTERN
        );
    }

    #[test]
    fn patterns_become_openapi_paths() {
        assert_eq!(normalize("/webrtc/links/{key:.*}"), "/webrtc/links/{key}");
        assert_eq!(normalize("/a/{b}/c"), "/a/{b}/c");
    }

    #[test]
    fn every_operation_has_a_unique_id_and_valid_params() {
        let doc = document();
        let mut ids = BTreeSet::new();
        let mut count = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (_, op) in item.as_object().unwrap() {
                count += 1;
                assert!(
                    ids.insert(op["operationId"].as_str().unwrap().to_owned()),
                    "{path}"
                );
                for name in path_params(path) {
                    assert!(
                        op["parameters"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|p| p["name"] == name),
                        "{path}: {name}"
                    );
                }
            }
        }
        assert_eq!(ids.len(), count);
        // Every link names an operation that exists.
        for item in doc["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                for answer in op["responses"].as_object().unwrap().values() {
                    for link in answer["links"].as_object().into_iter().flatten() {
                        let target = link.1["operationId"].as_str().unwrap();
                        assert!(ids.contains(target), "{target}");
                    }
                }
            }
        }
        let codes = doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["oneOf"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(codes, ErrorCode::ALL.len());
    }
}
