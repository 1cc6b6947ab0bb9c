//! End-to-end tests: the real server on port 0, real HTTP and WebSocket clients.

mod admin;
mod authz;
mod chat;
mod client;
mod cluster;
mod faults;
mod history;
mod hooks;
mod limits;
mod media;
mod ops;
mod quota;
mod reconnect;
mod rooms;
mod security;
mod seeds;
mod shutdown;
mod signaling;
mod streams;
mod support;
mod transfer;
mod webclient;
