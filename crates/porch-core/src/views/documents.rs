//! The recipients' documents page: filters (category; an asset, reached from its page), the
//! table of documents newest first with download links, and the link to the next page.

use crate::i18n::Translations as _;
use maud::html;

use super::language::{self, foreign};
use super::layout::page;
use crate::auth::member::Member;
use crate::http::percent_encode;
use crate::i18n::{Formats, Language};
use crate::portal_context::ResolvedPortal;
use crate::store::documents::DocumentRow;
use porch_types::documents::Category;
use porch_types::time::Timestamp;
use porch_types::time_zone::TimeZone;

/// The list page's data.
pub struct List<'a> {
    pub has_customer: bool,
    pub documents: &'a [DocumentRow],
    pub category: Option<Category>,
    /// The asset filtered on: its key and name.
    pub asset: Option<(&'a str, &'a str)>,
    /// The cursor of the next page, when there is one.
    pub next: Option<&'a str>,
    pub zone: TimeZone,
}

/// `/documents` with the list's filters and an optional cursor.
fn list_href(list: &List<'_>, after: Option<&str>) -> String {
    let mut query = Vec::new();
    if let Some((key, _)) = list.asset {
        query.push(format!("asset={}", percent_encode(key, b".-_~:")));
    }
    if let Some(category) = list.category {
        query.push(format!("category={}", category.code()));
    }
    if let Some(after) = after {
        query.push(format!("after={}", percent_encode(after, b".")));
    }
    if query.is_empty() {
        "/documents".to_owned()
    } else {
        format!("/documents?{}", query.join("&"))
    }
}

pub fn list(portal: &ResolvedPortal, lang: Language, member: &Member, list: &List<'_>) -> String {
    let d = lang.documents();
    let fmt = Formats::new(lang, list.zone);
    let content = html! {
        h1 { (d.documents_title) }
        @if !list.has_customer {
            p.empty { (d.no_customer) }
        } @else {
            @if let Some((_, name)) = list.asset {
                p { (d.of_asset) " " strong { (name) } " · " a href="/documents" { (d.all_documents) } }
            }
            form.filters method="get" action="/documents" {
                @if let Some((key, _)) = list.asset { input type="hidden" name="asset" value=(key); }
                label { (d.category_label)
                    select name="category" {
                        option value="" { (d.all_categories) }
                        @for category in Category::ALL {
                            option value=(category.code()) selected[list.category == Some(category)] { (d.category(category)) }
                        }
                    }
                }
                button.secondary type="submit" { (d.filter_button) }
            }
            @if list.documents.is_empty() {
                p.empty { (d.no_documents) }
            } @else {
                table.documents.stacked {
                    thead { tr {
                        th scope="col" { (d.column_title) } th scope="col" { (d.column_category) }
                        th scope="col" { (d.column_asset) } th scope="col" { (d.column_size) }
                        th scope="col" { (d.column_date) }
                    } }
                    tbody {
                        @for doc in list.documents {
                            @let at = Timestamp::from_millis(doc.created_at);
                            tr {
                                td data-label=(d.column_title) { a href=(format!("/documents/{}", doc.id)) download { (foreign(&doc.title, portal.context.default_language, lang)) } }
                                td data-label=(d.column_category) { (Category::parse(&doc.category).map_or("", |c| d.category(c))) }
                                td data-label=(d.column_asset) { (doc.asset_name.as_deref().unwrap_or("")) }
                                td data-label=(d.column_size) { (fmt.size(doc.size)) }
                                td data-label=(d.column_date) { (language::date(fmt, at)) }
                            }
                        }
                    }
                }
                @if let Some(next) = list.next { nav.pages aria-label=(d.documents_title) { a rel="next" href=(list_href(list, Some(next))) { (d.next_page) } } }
            }
        }
    };
    page(portal, lang, d.documents_title, Some("/documents"), Some(member), &content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_page_link_keeps_the_filters() {
        let list = List {
            has_customer: true,
            documents: &[],
            category: Some(Category::Manual),
            asset: Some(("LD:2", "Loader")),
            next: None,
            zone: TimeZone::UTC,
        };
        assert_eq!(list_href(&list, Some("17.abc")), "/documents?asset=LD:2&category=manual&after=17.abc");
        let plain = List { category: None, asset: None, ..list };
        assert_eq!(list_href(&plain, None), "/documents");
    }
}
