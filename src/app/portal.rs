//! Portal pages for the portal a Host names: the start page, its stylesheet and logos, and
//! branded error pages. Unknown hosts get a neutral page that says nothing about tenants.

use crate::domain::host::Hostname;
use crate::error::AppError;
use crate::http::{Method, Request, Response};
use crate::i18n::Language;
use crate::runtime::{BlobStore, Runtime};
use crate::store::themes::LogoSlot;
use crate::tenancy::{self, ResolvedPortal};
use crate::views::{errors, layout::neutral, pages};

pub async fn handle<R: Runtime>(rt: &R, req: &Request, host: &Hostname) -> Response {
    let portal = match tenancy::resolve(rt, host).await {
        Ok(Some(portal)) => portal,
        Ok(None) => return unknown_host(),
        Err(err) => {
            log_error(rt, &err);
            return Response::html(500, neutral("Temporarily unavailable", "Please try again in a moment."));
        }
    };
    let lang = language(req, &portal);
    if !portal.context.enabled {
        return Response::html(503, pages::not_available(&portal, lang))
            .with_header("cache-control", "no-store")
            .with_header("retry-after", "3600");
    }
    match page(rt, req, &portal, lang).await {
        Ok(response) => response,
        Err(err) => {
            log_error(rt, &err);
            Response::html(err.status(), errors::portal_error(&portal, lang, &err))
                .with_header("cache-control", "no-store")
        }
    }
}

fn unknown_host() -> Response {
    Response::html(404, neutral("Not found", "There is nothing at this address."))
        .with_header("cache-control", "no-store")
}

fn log_error<R: Runtime>(rt: &R, err: &AppError) {
    if let Some(detail) = err.log_detail() {
        rt.log(&format!("portal error: {detail}"));
    }
}

/// The visitor's Accept-Language may pick among our languages; otherwise the portal's default.
fn language(req: &Request, portal: &ResolvedPortal) -> Language {
    req.header("accept-language").and_then(Language::negotiate).unwrap_or(portal.context.default_language)
}

async fn page<R: Runtime>(
    rt: &R,
    req: &Request,
    portal: &ResolvedPortal,
    lang: Language,
) -> Result<Response, AppError> {
    if !matches!(req.method, Method::Get | Method::Head) {
        return Err(AppError::NotFound);
    }
    match req.path.as_str() {
        "/" => Ok(Response::html(200, pages::start_page(portal, lang))
            .with_header("cache-control", "no-store")
            .with_header("vary", "accept-language")),
        "/theme.css" => Ok(theme_css(req, portal)),
        // Browsers ask for it on every site: the small logo, or nothing (not a 404).
        "/favicon.ico" => match logo(rt, portal, LogoSlot::Small).await {
            Err(AppError::NotFound) => Ok(Response::empty(204).with_header("cache-control", "public, max-age=3600")),
            other => other,
        },
        path => match path.strip_prefix("/logo/").and_then(LogoSlot::parse) {
            Some(slot) => logo(rt, portal, slot).await,
            None => Err(AppError::NotFound),
        },
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
