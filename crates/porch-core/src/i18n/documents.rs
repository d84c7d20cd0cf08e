//! Strings of the recipients' documents page, one struct per language so a missing
//! translation is a compile error.

use porch_types::documents::Category;

pub struct DocumentStrings {
    pub documents_title: &'static str,
    pub no_customer: &'static str,
    pub no_documents: &'static str,
    pub category_label: &'static str,
    pub all_categories: &'static str,
    pub filter_button: &'static str,
    pub of_asset: &'static str,
    pub all_documents: &'static str,
    pub column_title: &'static str,
    pub column_category: &'static str,
    pub column_asset: &'static str,
    pub column_size: &'static str,
    pub column_date: &'static str,
    pub next_page: &'static str,
    /// Labels of `Category::ALL`, in its order.
    pub categories: [&'static str; 5],
}

impl DocumentStrings {
    pub fn category(&self, category: Category) -> &'static str {
        let index = Category::ALL.iter().position(|c| *c == category).unwrap_or(Category::ALL.len() - 1);
        self.categories.get(index).copied().unwrap_or("")
    }
}

pub const EN: DocumentStrings = DocumentStrings {
    documents_title: "Documents",
    no_customer: "Your account is not linked to a company, so no documents are shared with you.",
    no_documents: "No documents here yet.",
    category_label: "Category",
    all_categories: "All categories",
    filter_button: "Filter",
    of_asset: "Documents of",
    all_documents: "All documents",
    column_title: "Title",
    column_category: "Category",
    column_asset: "Equipment",
    column_size: "Size",
    column_date: "Date",
    next_page: "Next page",
    categories: ["Manual", "Certificate", "Invoice", "Report", "Other"],
};

pub const DA: DocumentStrings = DocumentStrings {
    documents_title: "Dokumenter",
    no_customer: "Din konto er ikke knyttet til en virksomhed, så ingen dokumenter er delt med dig.",
    no_documents: "Her er ingen dokumenter endnu.",
    category_label: "Kategori",
    all_categories: "Alle kategorier",
    filter_button: "Filtrér",
    of_asset: "Dokumenter for",
    all_documents: "Alle dokumenter",
    column_title: "Titel",
    column_category: "Kategori",
    column_asset: "Udstyr",
    column_size: "Størrelse",
    column_date: "Dato",
    next_page: "Næste side",
    categories: ["Manual", "Certifikat", "Faktura", "Rapport", "Andet"],
};

pub const NB: DocumentStrings = DocumentStrings {
    documents_title: "Dokumenter",
    no_customer: "Kontoen din er ikke knyttet til en virksomhet, så ingen dokumenter er delt med deg.",
    no_documents: "Her er ingen dokumenter ennå.",
    category_label: "Kategori",
    all_categories: "Alle kategorier",
    filter_button: "Filtrer",
    of_asset: "Dokumenter for",
    all_documents: "Alle dokumenter",
    column_title: "Tittel",
    column_category: "Kategori",
    column_asset: "Utstyr",
    column_size: "Størrelse",
    column_date: "Dato",
    next_page: "Neste side",
    categories: ["Bruksanvisning", "Sertifikat", "Faktura", "Rapport", "Annet"],
};
