//! Themes in the console: created and changed through `app::themes` as `createTheme` and
//! `updateTheme` are, a preview in the draft's colours, the contrast report's suggested
//! colours, the warning before a change reaches several portals, and who may do what.

use crate::common::{body_text, good_colors, spawn_app, TestApp};
use crate::console_staff::{invite, join, version_on, Staffer};
use serde_json::json;

const COLOURS: [(&str, &str); 5] = [
    ("primary", "#1d4ed8"),
    ("menu", "#111827"),
    ("notification", "#b45309"),
    ("background", "#ffffff"),
    ("text", "#1f2937"),
];

/// An editor form: the name, the colours with `changes` over `COLOURS`, and `extra` fields.
fn form<'a>(name: &'a str, changes: &[(&'a str, &'a str)], extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![("name", name)];
    for (colour, value) in COLOURS {
        let chosen = changes.iter().find(|(c, _)| *c == colour).map_or(value, |(_, v)| *v);
        fields.push((colour, chosen));
    }
    fields.extend_from_slice(extra);
    fields
}

struct Setting<'a> {
    tenant: String,
    key: String,
    admin: Staffer<'a>,
}

fn setting(app: &TestApp) -> Setting<'_> {
    let (tenant, key) = app.new_tenant("acme-co");
    let admin = join(app, &invite(app, &key, &tenant, "ad@acme.example", "admin"), "Ad Admin");
    Setting { tenant, key, admin }
}

#[test]
fn an_admin_creates_a_theme_previews_a_suggested_colour_and_saves_it() {
    let app = spawn_app();
    let s = setting(&app);
    let themes = format!("/tenants/{}/themes", s.tenant);
    let list = body_text(&s.admin.browser.get(&themes));
    assert!(list.contains("No themes yet") && list.contains(&format!(r#"href="{themes}/new""#)), "{list}");
    let new = body_text(&s.admin.browser.get(&format!("{themes}/new")));
    assert!(
        new.contains(r##"type="color" name="primary" value="#1f4f99""##),
        "porch's own colours to start from: {new}"
    );

    // A yellow primary is too light for white labels and for borders on white: the report
    // says so and offers a darker yellow; using it writes nothing.
    let preview = s.admin.browser.post(&themes, &form("Brand", &[("primary", "#ffff00")], &[("intent", "preview")]));
    assert_eq!(preview.status, 200);
    let preview = body_text(&preview);
    assert!(preview.contains("Too low") && preview.contains("preview.css?primary=%23ffff00"), "{preview}");
    let from = preview.find(r#"name="use" value="primary:"#).expect("a suggested primary colour");
    let suggested = &preview[from + r#"name="use" value="primary:"#.len()..][..7];
    let used = body_text(
        &s.admin
            .browser
            .post(&themes, &form("Brand", &[("primary", "#ffff00")], &[("use", &format!("primary:{suggested}"))])),
    );
    assert!(used.contains(&format!(r#"name="primary" value="{suggested}""#)), "{used}");
    assert!(app.sql("SELECT id FROM themes", Vec::new()).is_empty(), "nothing is written before Create");

    let created = s.admin.browser.post(&themes, &form("Brand", &[("primary", suggested)], &[("intent", "save")]));
    assert_eq!(created.status, 303, "{}", body_text(&created));
    let page = body_text(&s.admin.browser.get(created.header("location").unwrap()));
    assert!(page.contains("Theme created.") && page.contains(&format!(r#"value="{suggested}""#)), "{page}");
    let audit = app.sql("SELECT actor FROM audit_log WHERE action = 'theme.create'", Vec::new());
    assert_eq!(audit[0]["actor"], format!("staff:{}", s.admin.id));

    // The preview's stylesheet is the draft's colours on the preview alone.
    let css = s.admin.browser.get(&format!("{themes}/preview.css?primary=%23123456&menu=nonsense"));
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    let css = body_text(&css);
    assert!(css.starts_with(".theme-preview {") && css.contains("--porch-primary: #123456;"), "{css}");
    assert!(css.contains("--porch-menu: #1b263b;"), "a colour that does not parse is porch's own: {css}");
    assert_eq!(
        crate::common::browser::Browser::new(&app, s.admin.browser.host.as_str())
            .get(&format!("{themes}/preview.css"))
            .status,
        303
    );
}

#[test]
fn a_change_that_reaches_several_portals_waits_for_confirmation_and_a_stale_form_saves_nothing() {
    let app = spawn_app();
    let s = setting(&app);
    let theme = app.new_theme(&s.key, &s.tenant, "Brand", &good_colors());
    for slug in ["one-portal", "two-portal"] {
        app.new_portal(&s.key, &s.tenant, &json!({ "slug": slug, "name": slug, "theme_id": theme }));
    }
    let path = format!("/tenants/{}/themes/{theme}", s.tenant);
    let page = body_text(&s.admin.browser.get(&path));
    assert!(page.contains("one-portal") && page.contains("two-portal"), "the portals it is used on: {page}");
    let version = version_on(&page, "");
    let held = s
        .admin
        .browser
        .post(&path, &form("Brand", &[("primary", "#0b3d91")], &[("intent", "save"), ("version", &version)]));
    assert_eq!(held.status, 409);
    let held = body_text(&held);
    assert!(held.contains("Not saved yet") && held.contains("Change the theme on all 2 portals"), "{held}");
    assert!(held.contains(r##"name="primary" value="#0b3d91""##), "the draft is kept: {held}");
    let confirmed = s.admin.browser.post(
        &path,
        &form("Brand", &[("primary", "#0b3d91")], &[("intent", "save"), ("version", &version), ("confirm", "yes")]),
    );
    assert_eq!(confirmed.status, 303, "{}", body_text(&confirmed));
    assert_eq!(app.sql("SELECT primary_color FROM themes", Vec::new())[0]["primary_color"], "#0b3d91");
    assert_eq!(app.sql("SELECT actor FROM audit_log WHERE action = 'theme.update'", Vec::new()).len(), 1);

    let stale = s.admin.browser.post(
        &path,
        &form("Brand", &[("primary", "#000000")], &[("intent", "save"), ("version", &version), ("confirm", "yes")]),
    );
    assert_eq!(stale.status, 409);
    let stale = body_text(&stale);
    assert!(stale.contains("Someone changed this theme") && stale.contains(r##"value="#0b3d91""##), "{stale}");
    assert_eq!(app.sql("SELECT primary_color FROM themes", Vec::new())[0]["primary_color"], "#0b3d91");
}

#[test]
fn a_viewer_only_reads_an_organisations_theme_is_read_only_and_another_tenants_is_not_found() {
    let app = spawn_app();
    let (parent, parent_key) = app.new_tenant("group-co");
    let shared = app.new_theme(&parent_key, &parent, "Group look", &good_colors());
    let (tenant, key) = app.new_tenant_with(&json!({ "slug": "acme-co", "name": "Acme", "parent_id": parent }));
    let admin = join(&app, &invite(&app, &key, &tenant, "ad@acme.example", "admin"), "Ad Admin");
    let own = app.new_theme(&key, &tenant, "Acme look", &good_colors());
    let themes = format!("/tenants/{tenant}/themes");
    let list = body_text(&admin.browser.get(&themes));
    assert!(list.contains("Acme look") && list.contains("Group look") && list.contains("Shared by your organisation"));
    let theirs = body_text(&admin.browser.get(&format!("{themes}/{shared}")));
    assert!(theirs.contains("belongs to your organisation") && !theirs.contains("Save theme"), "{theirs}");
    let sent = admin
        .browser
        .post(&format!("{themes}/{shared}"), &form("Mine now", &[], &[("intent", "save"), ("version", "1")]));
    assert_eq!(sent.status, 404, "an organisation's theme is changed by the organisation");

    let viewer = join(&app, &invite(&app, &key, &tenant, "vi@acme.example", "viewer"), "Vi Viewer");
    let list = body_text(&viewer.browser.get(&themes));
    assert!(list.contains("Acme look") && !list.contains("New theme"), "{list}");
    assert!(!body_text(&viewer.browser.get(&format!("{themes}/{own}"))).contains("Save theme"));
    assert_eq!(viewer.browser.get(&format!("{themes}/new")).status, 403);
    assert_eq!(viewer.browser.post(&themes, &form("Nope", &[], &[("intent", "save")])).status, 403);

    let (other, other_key) = app.new_tenant("globex");
    let foreign = app.new_theme(&other_key, &other, "Globex look", &good_colors());
    assert_eq!(admin.browser.get(&format!("{themes}/{foreign}")).status, 404);
    assert_eq!(admin.browser.get(&format!("/tenants/{other}/themes")).status, 404);
    assert_eq!(app.sql("SELECT id FROM themes WHERE name = 'Mine now' OR name = 'Nope'", Vec::new()).len(), 0);
}

#[test]
fn an_unused_theme_is_deleted_once_and_a_theme_in_use_is_kept_with_the_reason() {
    let app = spawn_app();
    let s = setting(&app);
    let unused = app.new_theme(&s.key, &s.tenant, "Old look", &good_colors());
    let used = app.new_theme(&s.key, &s.tenant, "Live look", &good_colors());
    app.new_portal(&s.key, &s.tenant, &json!({ "slug": "acme", "name": "Acme", "setup": "custom", "theme_id": used }));
    let page = |id: &str| body_text(&s.admin.browser.get(&format!("/tenants/{}/themes/{id}", s.tenant)));
    let live = page(&used);
    assert!(live.contains("A theme in use cannot be deleted") && !live.contains("Delete Live look"), "{live}");
    // Posted anyway (a page opened before the portal took it): refused, saying why.
    let version = version_on(&live, "");
    let refused =
        s.admin.browser.post(&format!("/tenants/{}/themes/{used}/delete", s.tenant), &[("version", version.as_str())]);
    assert_eq!(refused.status, 409);
    assert!(body_text(&refused).contains("the theme is used by a portal"), "{}", body_text(&refused));

    let old = page(&unused);
    assert!(old.contains("Delete Old look"), "{old}");
    let version = version_on(&old, "Delete theme");
    let delete = format!("/tenants/{}/themes/{unused}/delete", s.tenant);
    let stale = s.admin.browser.post(&delete, &[("version", "99")]);
    assert_eq!(stale.status, 409, "a stale form deletes nothing");
    let deleted = s.admin.browser.post(&delete, &[("version", version.as_str())]);
    assert_eq!(deleted.header("location"), Some(format!("/tenants/{}/themes?done=deleted", s.tenant).as_str()));
    let list = body_text(&s.admin.browser.get(&format!("/tenants/{}/themes?done=deleted", s.tenant)));
    assert!(list.contains("Theme deleted.") && !list.contains("Old look"), "{list}");
    let audit = app.sql("SELECT actor FROM audit_log WHERE action = 'theme.delete'", Vec::new());
    assert_eq!(audit, vec![json!({ "actor": format!("staff:{}", s.admin.id) })]);
    assert_eq!(s.admin.browser.post(&delete, &[("version", version.as_str())]).status, 404);
}

#[test]
fn an_admin_uploads_a_logo_that_the_api_shows_and_removes_it_and_a_file_that_is_no_logo_is_named() {
    let app = spawn_app();
    let s = setting(&app);
    let theme = app.new_theme(&s.key, &s.tenant, "Brand", &good_colors());
    let editor = format!("/tenants/{}/themes/{theme}", s.tenant);
    let page = body_text(&s.admin.browser.get(&editor));
    assert!(page.contains(r#"enctype="multipart/form-data""#) && page.contains("No logo."), "{page}");
    let version = version_on(&page, "Small logo");
    let upload = format!("{editor}/logos/small");

    let nothing = s.admin.browser.post_multipart(&upload, &[("version", &version)], &[("logo", "", b"")]);
    assert_eq!(nothing.status, 422);
    assert!(body_text(&nothing).contains(r##"<a href="#logo-small">Choose a PNG or SVG file</a>"##));
    let text = s.admin.browser.post_multipart(&upload, &[("version", &version)], &[("logo", "notes.txt", b"hello")]);
    assert_eq!(text.status, 422);
    assert!(body_text(&text).contains("The file must be a PNG or an SVG image"), "{}", body_text(&text));
    let fake = s.admin.browser.post_multipart(&upload, &[("version", &version)], &[("logo", "logo.png", b"hello")]);
    assert_eq!(fake.status, 422);
    assert!(body_text(&fake).contains("not a valid PNG"), "{}", body_text(&fake));

    let saved = s.admin.browser.post_multipart(
        &upload,
        &[("version", &version)],
        &[("logo", "logo.png", crate::common::PNG_1X1)],
    );
    assert_eq!(saved.header("location"), Some(format!("{editor}?done=logo").as_str()), "{}", body_text(&saved));
    let (status, shown) = app.api_as(
        Some(&s.key),
        porch_core::http::Method::Get,
        &format!("/api/v1/tenants/{}/themes/{theme}", s.tenant),
        &json!(null),
    );
    assert_eq!(status, 200);
    assert_eq!(shown["theme"]["logos"]["small"]["content_type"], "image/png", "{shown}");
    assert_eq!(app.rt.blobs.objects.borrow().len(), 1);
    let audit = app.sql("SELECT actor FROM audit_log WHERE action LIKE 'theme.logo%'", Vec::new());
    assert_eq!(audit, vec![json!({ "actor": format!("staff:{}", s.admin.id) })]);

    let page = body_text(&s.admin.browser.get(&format!("{editor}?done=logo")));
    assert!(page.contains("Logo saved.") && page.contains("A PNG logo is set."), "{page}");
    let version = version_on(&page, "Small logo");
    let removed = s.admin.browser.post(&format!("{upload}/remove"), &[("version", &version)]);
    assert_eq!(removed.header("location"), Some(format!("{editor}?done=logo-removed").as_str()));
    assert!(app.rt.blobs.objects.borrow().is_empty(), "the object went with it");
}

#[test]
fn a_logo_for_a_theme_on_several_portals_waits_for_the_confirmation() {
    let app = spawn_app();
    let s = setting(&app);
    let theme = app.new_theme(&s.key, &s.tenant, "Brand", &good_colors());
    for slug in ["one", "two"] {
        app.new_portal(&s.key, &s.tenant, &json!({ "slug": slug, "name": slug, "setup": "custom", "theme_id": theme }));
    }
    let editor = format!("/tenants/{}/themes/{theme}", s.tenant);
    let version = version_on(&body_text(&s.admin.browser.get(&editor)), "Small logo");
    let upload = format!("{editor}/logos/large");
    let file = [("logo", "logo.png", crate::common::PNG_1X1)];
    let held = s.admin.browser.post_multipart(&upload, &[("version", &version)], &file);
    assert_eq!(held.status, 409);
    assert!(body_text(&held).contains("This change reaches several portals"), "{}", body_text(&held));
    assert!(app.rt.blobs.objects.borrow().is_empty(), "nothing was stored");
    let done = s.admin.browser.post_multipart(&upload, &[("version", &version), ("confirm", "yes")], &file);
    assert_eq!(done.status, 303, "{}", body_text(&done));
}
