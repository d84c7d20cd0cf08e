//! A bare worker: "ok" on /healthz, 404 elsewhere. Only the cold-start benchmark uses it.
#![cfg(target_arch = "wasm32")]

use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(req: Request, _env: Env, _ctx: Context) -> Result<Response> {
    if req.path() == "/healthz" {
        Response::ok("ok")
    } else {
        Response::error("not found", 404)
    }
}
