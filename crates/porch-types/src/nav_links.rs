//! A provider's own links in a portal's navigation ("Status page", "Our shop"): absolute
//! `https://` URLs without credentials, each labelled in English, Danish and/or Norwegian, a
//! few of them, in the order given. Part of a set-up, so templates carry them too.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use url::{Host, Url};

use super::error::FieldError;
use super::language::Language;
use super::text::Label;

/// A navigation stays one line on a wide screen and a short list in the folded menu.
pub const MAX_LINKS: usize = 5;
/// Links are typed by people, not generated: anything longer is a mistake or a tracking blob.
pub const MAX_LINK_URL: usize = 500;
/// A menu entry, not a sentence.
pub const MAX_LINK_LABEL: usize = 40;

/// Why a link's address is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LinkUrlError {
    #[error("must be an absolute https:// URL")]
    NotHttps,
    #[error("must be at most {MAX_LINK_URL} characters")]
    TooLong,
    #[error("must not contain spaces or control characters")]
    Whitespace,
    #[error("must not carry a user name or password")]
    Credentials,
    #[error("must name a host by its DNS name")]
    BadHost,
}

/// An absolute `https://` URL to a DNS name, as the URL Standard reads it (the `url` crate,
/// as browsers do), kept in its serialised form. Only https: a portal's pages are https, and a
/// link from them to plain http (or to `javascript:`, `data:`, a relative path) is refused
/// rather than shown (OWASP XSS Prevention Cheat Sheet, rule 5: allow only safe URL schemes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkUrl(String);

impl LinkUrl {
    pub fn parse(input: &str) -> Result<LinkUrl, LinkUrlError> {
        let input = input.trim();
        if input.chars().count() > MAX_LINK_URL {
            return Err(LinkUrlError::TooLong);
        }
        if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(LinkUrlError::Whitespace);
        }
        if !input.get(..8).is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://")) {
            return Err(LinkUrlError::NotHttps);
        }
        // RFC 3986 §3.2.1: userinfo is deprecated; in a link it only serves to disguise the
        // host (`https://bank.example@evil.example/`). Looked for as typed, as in `url::HttpsUrl`.
        let authority = input.get(8..).unwrap_or_default().split(['/', '?', '#', '\\']).next().unwrap_or_default();
        if authority.contains('@') {
            return Err(LinkUrlError::Credentials);
        }
        let url = Url::parse(input).map_err(|_| LinkUrlError::BadHost)?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(LinkUrlError::Credentials);
        }
        if !matches!(url.host(), Some(Host::Domain(name)) if name.contains('.')) {
            return Err(LinkUrlError::BadHost);
        }
        let text = url.to_string();
        if text.chars().count() > MAX_LINK_URL {
            return Err(LinkUrlError::TooLong);
        }
        Ok(LinkUrl(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A link's label in each language it has (at least one).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkLabels {
    en: Option<Label>,
    da: Option<Label>,
    nb: Option<Label>,
}

impl LinkLabels {
    fn get(&self, language: Language) -> Option<&Label> {
        match language {
            Language::En => self.en.as_ref(),
            Language::Da => self.da.as_ref(),
            Language::Nb => self.nb.as_ref(),
        }
    }
}

/// One link of the navigation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NavLink {
    url: LinkUrl,
    labels: LinkLabels,
}

impl NavLink {
    pub fn url(&self) -> &LinkUrl {
        &self.url
    }

    /// The label for a reader of `language`, else the one in the portal's `fallback`
    /// language, else the first it has (en, da, nb); with the language it is in, so a page
    /// can mark a label in another language than its own.
    pub fn label(&self, language: Language, fallback: Language) -> (&str, Language) {
        std::iter::once(language)
            .chain(std::iter::once(fallback))
            .chain(Language::ALL)
            .find_map(|lang| self.labels.get(lang).map(|label| (label.as_str(), lang)))
            .unwrap_or(("", language))
    }
}

/// A set-up's own links, in menu order: at most `MAX_LINKS`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NavLinks(Vec<NavLink>);

/// A link as JSON, in the API and in storage: `{"url": "...", "labels": {"en": "...", ...}}`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NavLinkInput {
    pub url: String,
    pub labels: LabelsInput,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelsInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub da: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nb: Option<String>,
}

impl NavLinks {
    /// Links from a body whose field is `field`; every error is named by its path
    /// (`nav_links[1].url`, `nav_links[0].labels.da`, `nav_links` for too many).
    pub fn parse(field: &str, inputs: &[NavLinkInput]) -> Result<NavLinks, Vec<FieldError>> {
        let mut errors = Vec::new();
        if inputs.len() > MAX_LINKS {
            errors.push(FieldError::new(field, format!("at most {MAX_LINKS} links")));
        }
        let mut links = Vec::new();
        for (index, input) in inputs.iter().enumerate() {
            let at = format!("{field}[{index}]");
            let url = LinkUrl::parse(&input.url).map_err(|err| errors.push(FieldError::new(&format!("{at}.url"), err)));
            let mut label = |code: &str, raw: Option<&String>| match raw {
                Some(raw) => Label::parse(raw, MAX_LINK_LABEL)
                    .map(Some)
                    .map_err(|err| errors.push(FieldError::new(&format!("{at}.labels.{code}"), err))),
                None => Ok(None),
            };
            let labels = (
                label("en", input.labels.en.as_ref()),
                label("da", input.labels.da.as_ref()),
                label("nb", input.labels.nb.as_ref()),
            );
            if let (Ok(url), (Ok(en), Ok(da), Ok(nb))) = (url, labels) {
                if en.is_none() && da.is_none() && nb.is_none() {
                    errors.push(FieldError::new(&format!("{at}.labels"), "give a label in at least one of en, da, nb"));
                } else {
                    links.push(NavLink { url, labels: LinkLabels { en, da, nb } });
                }
            }
        }
        if errors.is_empty() {
            Ok(NavLinks(links))
        } else {
            Err(errors)
        }
    }

    /// A stored JSON text; None, or a text that no longer parses, is no links.
    pub fn from_stored(text: Option<&str>) -> NavLinks {
        text.and_then(|text| serde_json::from_str::<Vec<NavLinkInput>>(text).ok())
            .and_then(|inputs| NavLinks::parse("nav_links", &inputs).ok())
            .unwrap_or_default()
    }

    /// The stored text; None for no links.
    pub fn to_stored(&self) -> Option<String> {
        (!self.0.is_empty()).then(|| serde_json::Value::from(self.inputs_json()).to_string())
    }

    fn inputs_json(&self) -> Vec<serde_json::Value> {
        self.0
            .iter()
            .map(|link| {
                let text = |label: &Option<Label>| label.as_ref().map(|l| l.as_str().to_owned());
                let input = NavLinkInput {
                    url: link.url.0.clone(),
                    labels: LabelsInput {
                        en: text(&link.labels.en),
                        da: text(&link.labels.da),
                        nb: text(&link.labels.nb),
                    },
                };
                serde_json::to_value(input).unwrap_or_default()
            })
            .collect()
    }

    pub fn links(&self) -> &[NavLink] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for NavLinks {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.inputs_json().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for NavLinks {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<NavLinks, D::Error> {
        let inputs = Vec::<NavLinkInput>::deserialize(deserializer)?;
        NavLinks::parse("nav_links", &inputs).map_err(|errors| {
            let detail: Vec<String> = errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
            serde::de::Error::custom(detail.join("; "))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(url: &str, en: Option<&str>, da: Option<&str>) -> NavLinkInput {
        NavLinkInput {
            url: url.into(),
            labels: LabelsInput { en: en.map(Into::into), da: da.map(Into::into), nb: None },
        }
    }

    fn fields(result: Result<NavLinks, Vec<FieldError>>) -> Vec<String> {
        result.unwrap_err().iter().map(|e| e.field.clone()).collect()
    }

    #[test]
    fn a_link_is_an_absolute_https_url_to_a_dns_name_without_credentials() {
        assert_eq!(
            LinkUrl::parse(" https://status.example.com/a?b=c#d ").unwrap().as_str(),
            "https://status.example.com/a?b=c#d"
        );
        assert_eq!(LinkUrl::parse("HTTPS://Example.COM").unwrap().as_str(), "https://example.com/");
        for (bad, err) in [
            ("http://example.com/", LinkUrlError::NotHttps),
            ("javascript:alert(1)", LinkUrlError::NotHttps),
            ("/relative/path", LinkUrlError::NotHttps),
            ("//example.com/", LinkUrlError::NotHttps),
            ("data:text/html,hi", LinkUrlError::NotHttps),
            ("https://user:pw@example.com/", LinkUrlError::Credentials),
            ("https://bank.example@evil.example/", LinkUrlError::Credentials),
            ("https://exa mple.com/", LinkUrlError::Whitespace),
            ("https://localhost/", LinkUrlError::BadHost),
            ("https://192.168.1.1/", LinkUrlError::BadHost),
            ("https://", LinkUrlError::BadHost),
        ] {
            assert_eq!(LinkUrl::parse(bad), Err(err), "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_LINK_URL));
        assert_eq!(LinkUrl::parse(&long), Err(LinkUrlError::TooLong));
    }

    #[test]
    fn links_are_few_labelled_and_every_bad_one_is_named_by_its_path() {
        let good = input("https://example.com/", Some("Shop"), None);
        assert_eq!(NavLinks::parse("nav_links", &vec![good.clone(); MAX_LINKS]).unwrap().links().len(), MAX_LINKS);
        assert_eq!(fields(NavLinks::parse("nav_links", &vec![good.clone(); MAX_LINKS + 1])), ["nav_links"]);
        let bad = [
            good,
            input("http://example.com/", Some("Shop"), Some(&"x".repeat(MAX_LINK_LABEL + 1))),
            input("https://example.com/", None, None),
        ];
        assert_eq!(
            fields(NavLinks::parse("nav_links", &bad)),
            ["nav_links[1].url", "nav_links[1].labels.da", "nav_links[2].labels"]
        );
    }

    #[test]
    fn a_label_falls_back_to_the_portals_language_then_to_any_it_has() {
        let links =
            NavLinks::parse("nav_links", &[input("https://example.com/", Some("Status"), Some("Driftsstatus"))])
                .unwrap();
        let link = &links.links()[0];
        assert_eq!(link.label(Language::Da, Language::En), ("Driftsstatus", Language::Da));
        assert_eq!(link.label(Language::Nb, Language::Da), ("Driftsstatus", Language::Da));
        assert_eq!(link.label(Language::Nb, Language::En), ("Status", Language::En));
        let only_nb = NavLinks::parse(
            "x",
            &[NavLinkInput {
                url: "https://example.com/".into(),
                labels: LabelsInput { nb: Some("Butikk".into()), ..LabelsInput::default() },
            }],
        )
        .unwrap();
        assert_eq!(only_nb.links()[0].label(Language::En, Language::Da), ("Butikk", Language::Nb));
    }

    #[test]
    fn links_round_trip_through_their_stored_text_and_a_bad_text_is_none() {
        let links = NavLinks::parse("nav_links", &[input("https://example.com/x", Some("X"), None)]).unwrap();
        let text = links.to_stored().unwrap();
        assert_eq!(text, r#"[{"labels":{"en":"X"},"url":"https://example.com/x"}]"#);
        assert_eq!(NavLinks::from_stored(Some(&text)), links);
        assert_eq!(NavLinks::default().to_stored(), None);
        assert!(NavLinks::from_stored(Some(r#"[{"url":"http://x.com","labels":{"en":"X"}}]"#)).is_empty());
        assert!(NavLinks::from_stored(None).is_empty());
    }
}
