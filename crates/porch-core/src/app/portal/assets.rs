//! The portal's static-like answers: the theme stylesheet and the logos. They need no
//! session and are answered before one is looked up.

use crate::http::{Method, Request, Response};
use crate::portal_context::ResolvedPortal;
use crate::runtime::{BlobStore, Runtime};
use crate::store::themes::LogoSlot;
use porch_types::error::AppError;

/// The asset a request asks for, or None when it is not an asset path.
pub async fn serve<R: Runtime>(rt: &R, req: &Request, portal: &ResolvedPortal) -> Option<Result<Response, AppError>> {
    if !matches!(req.method, Method::Get | Method::Head) {
        return None;
    }
    match req.path.as_str() {
        "/theme.css" => Some(Ok(theme_css(req, portal))),
        // Browsers ask for it on every site: the small logo, or nothing (not a 404).
        "/favicon.ico" => Some(match logo(rt, portal, LogoSlot::Small).await {
            Err(AppError::NotFound) => Ok(Response::empty(204).with_header("cache-control", "public, max-age=3600")),
            other => other,
        }),
        path => {
            let slot = path.strip_prefix("/logo/")?;
            Some(match LogoSlot::parse(slot) {
                Some(slot) => logo(rt, portal, slot).await,
                None => Err(AppError::NotFound),
            })
        }
    }
}

/// The stylesheet is revalidated with its `ETag`, so a theme change shows on the next load.
fn theme_css(req: &Request, portal: &ResolvedPortal) -> Response {
    let etag = portal.theme_etag.as_str();
    let fresh = req
        .header("if-none-match")
        // RFC 9110 §13.1.2: `*` matches any current representation.
        .is_some_and(|tags| {
            tags.split(',').any(|tag| {
                let tag = tag.trim().trim_start_matches("W/");
                tag == "*" || tag == etag
            })
        });
    let response = if fresh {
        Response::empty(304)
    } else {
        Response::new(200, "text/css; charset=utf-8", portal.theme_css.clone())
    };
    response.with_header("etag", etag).with_header("cache-control", "no-cache")
}

async fn logo<R: Runtime>(rt: &R, portal: &ResolvedPortal, slot: LogoSlot) -> Result<Response, AppError> {
    let theme = &portal.context.theme;
    let logo = match slot {
        LogoSlot::Small => theme.logo_small.as_ref(),
        LogoSlot::Large => theme.logo_large.as_ref(),
    }
    .ok_or(AppError::NotFound)?;
    let blob = rt.blobs().get(&logo.key).await?.ok_or(AppError::NotFound)?;
    // The stored type is one of ours (PNG or sanitised SVG); an SVG opened directly still
    // gets a CSP that forbids script and every external load (OWASP: SVG as active content).
    Ok(Response::new(200, &logo.content_type, blob.bytes)
        .with_header("cache-control", "public, max-age=3600")
        .with_header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox"))
}
