//! The console's Equipment tab: the tenant's assets (as its systems send them through the
//! admin API), and an asset's page with whom it is shared, from when and until when, the
//! form to share it with a customer and a button to stop each share.

use maud::html;

use super::console::{shell, tenant_header, TenantTab, Who};
use super::form::{csrf_field, field, submit, summary, Problems};
use super::language;
use crate::i18n::{Formats, Language, Translations as _};
use crate::store::customers::CustomerRow;
use crate::store::equipment::{AssetRow, ShareRow};
use crate::store::tenants::TenantRow;
use porch_types::ids::CustomerId;
use porch_types::percent::percent_encode;
use porch_types::time::Timestamp;
use porch_types::time_zone::TimeZone;

/// A customer's name, by id, among the tenant's customers.
fn customer_name(customers: &[CustomerRow], id: CustomerId) -> &str {
    let id = id.to_db();
    customers.iter().find(|c| c.id == id).map_or("", |c| c.name.as_str())
}

pub struct EquipmentView<'a> {
    pub tenant: &'a TenantRow,
    pub assets: &'a [AssetRow],
    pub customers: &'a [CustomerRow],
    /// The last key of this page, when there are more.
    pub next: Option<&'a str>,
}

pub fn list(lang: Language, who: &Who<'_>, view: &EquipmentView<'_>) -> String {
    let e = lang.equipment();
    let base = format!("/tenants/{}/equipment", view.tenant.id);
    let body = html! {
        (tenant_header(lang, who, view.tenant, TenantTab::Equipment))
        h2.visually-hidden { (e.equipment_title) }
        p.lead { (e.equipment_intro) }
        @if view.assets.is_empty() {
            p.empty { (e.no_assets) }
        } @else {
            table.stacked {
                thead { tr { th scope="col" { (e.name) } th scope="col" { (e.key) } th scope="col" { (e.kind) } th scope="col" { (e.owner) } } }
                tbody {
                    @for asset in view.assets {
                        tr {
                            td data-label=(e.name) { a href={ (base) "/" (percent_encode(&asset.asset_key, b"")) } { (asset.name) } }
                            td data-label=(e.key) { code { (asset.asset_key) } }
                            td data-label=(e.kind) { (asset.asset_type.as_deref().unwrap_or("")) }
                            td data-label=(e.owner) { (asset.customer_id.map_or("", |id| customer_name(view.customers, id))) }
                        }
                    }
                }
            }
            @if let Some(next) = view.next {
                p.pages { a href={ (base) "?after=" (percent_encode(next, b"")) } { (e.more) } }
            }
        }
    };
    shell(lang, &format!("{} · {}", e.equipment_title, view.tenant.name), None, Some(who), &body)
}

/// The share form as typed.
#[derive(Clone, Debug, Default)]
pub struct ShareDraft {
    pub customer: String,
    /// Dates as `YYYY-MM-DD`.
    pub from: String,
    pub until: String,
}

pub struct AssetView<'a> {
    pub tenant: &'a TenantRow,
    pub asset: &'a AssetRow,
    pub shares: &'a [ShareRow],
    pub customers: &'a [CustomerRow],
    pub editable: bool,
    pub draft: &'a ShareDraft,
    pub problems: &'a Problems,
    pub notice: Option<&'a str>,
}

pub fn asset(lang: Language, who: &Who<'_>, view: &AssetView<'_>) -> String {
    let e = lang.equipment();
    let formats = Formats::new(lang, TimeZone::UTC);
    let base = format!("/tenants/{}/equipment", view.tenant.id);
    let here = format!("{base}/{}", percent_encode(&view.asset.asset_key, b""));
    let date = |at: i64| language::date(formats, Timestamp::from_millis(at));
    let body = html! {
        (tenant_header(lang, who, view.tenant, TenantTab::Equipment))
        p.back { a href=(base) { (e.all_equipment) } }
        h2 { (view.asset.name) " " code { (view.asset.asset_key) } }
        @if let Some(notice) = view.notice { p.notice role="status" { (notice) } }
        h3 { (e.shared_with) }
        @if view.shares.is_empty() {
            p.empty { (e.no_shares) }
        } @else {
            table.stacked {
                thead { tr { th scope="col" { (e.customer) } th scope="col" { (e.from) } th scope="col" { (e.until) } } }
                tbody {
                    @for share in view.shares {
                        @let name = customer_name(view.customers, share.customer_id);
                        tr {
                            td data-label=(e.customer) { (name) }
                            td data-label=(e.from) { (date(share.from_at)) }
                            td data-label=(e.until) {
                                @match share.until_at { Some(until) => (date(until)), None => (e.until_further_notice) }
                                @if view.editable {
                                    " "
                                    form.inline method="post" action={ (here) "/shares/" (share.id.to_db()) "/remove" } {
                                        (csrf_field(who.csrf))
                                        button.link-button type="submit" aria-label={ (e.stop) " " (name) } { (e.stop) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if view.editable {
            h3 { (e.share_title) }
            @if view.customers.is_empty() { p { (e.no_customers) } } @else {
                (summary(lang, view.problems))
                form.stack method="post" action={ (here) "/shares" } novalidate {
                    (csrf_field(who.csrf))
                    (field(lang, view.problems, "customer_id", e.customer, None, |f| html! {
                        select #(f.id) name="customer_id" required aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid] {
                            option value="" { (e.choose_customer) }
                            @for customer in view.customers {
                                option value=(customer.id) selected[view.draft.customer == customer.id] { (customer.name) }
                            }
                        }
                    }))
                    (field(lang, view.problems, "from", e.from, None, |f| html! {
                        input #(f.id) type="date" name="from" value=(view.draft.from) required
                            aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
                    }))
                    (field(lang, view.problems, "until", e.until, Some(e.until_hint), |f| html! {
                        input #(f.id) type="date" name="until" value=(view.draft.until)
                            aria-describedby=[f.described_by.as_deref()] aria-invalid=[f.invalid];
                    }))
                    (submit(e.share_button))
                }
            }
        }
    };
    shell(lang, &format!("{} · {}", view.asset.name, view.tenant.name), None, Some(who), &body)
}
