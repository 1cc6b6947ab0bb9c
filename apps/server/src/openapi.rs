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
        Doc::openapi(),
    ] {
        doc.merge(more);
    }
    doc
}

/// Builds the document.
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
            },
        },
    })
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
    let params = op["parameters"].as_array().cloned().unwrap_or_default();
    let mut all: Vec<Value> = path_params(path)
        .filter(|name| {
            !params
                .iter()
                .any(|p| p["name"] == *name && p["in"] == "path")
        })
        .map(|name| {
            json!({"name": name, "in": "path", "required": true,
                   "schema": {"type": "string"}, "description": param_doc(name)})
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

fn param_doc(name: &str) -> &'static str {
    match name {
        "room_id" => "Room id (1-128 of A-Z a-z 0-9 _ - . @ : +)",
        "user_id" => "User id",
        "action" => "stop, pause or resume",
        "key" => "The signed object key",
        _ => "Identifier",
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
async fn openapi_json() -> HttpResponse {
    static DOC: OnceLock<String> = OnceLock::new();
    let body = DOC.get_or_init(|| document().to_string());
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body.as_str())
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
        let codes = doc["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["oneOf"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(codes, ErrorCode::ALL.len());
    }
}
