//! `?page=N` for every list: a bad value means the first page, a page past the
//! end is a 404, and the page links keep the list's other query parameters.

use serde::Deserialize;

use super::error::AppError;

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    /// Kept as text: `?page=abc` must not be a 400.
    #[serde(default)]
    pub page: Option<String>,
}

/// A page number of at least 1. Anything unreadable is page 1.
pub fn page_number(raw: Option<&str>) -> i64 {
    raw.and_then(|s| s.trim().parse::<i64>().ok())
        .filter(|n| (1..=1_000_000).contains(n))
        .unwrap_or(1)
}

#[derive(Debug, Clone)]
pub struct Pagination {
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
    /// The list's URL with its other parameters, e.g. `/search?q=rust`.
    base: String,
}

impl Pagination {
    pub fn new(page: i64, per_page: i64, total: i64, base: impl Into<String>) -> Self {
        Self {
            page,
            per_page: per_page.max(1),
            total,
            base: base.into(),
        }
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.per_page
    }

    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }

    /// Pages past the end do not exist (page 1 always does, even when empty).
    pub fn check(self) -> Result<Self, AppError> {
        if self.page > self.pages() {
            Err(AppError::NotFound)
        } else {
            Ok(self)
        }
    }

    pub fn has_prev(&self) -> bool {
        self.page > 1
    }

    pub fn has_next(&self) -> bool {
        self.page < self.pages()
    }

    fn url(&self, page: i64) -> String {
        let sep = if self.base.contains('?') { '&' } else { '?' };
        if page == 1 {
            self.base.clone()
        } else {
            format!("{}{sep}page={page}", self.base)
        }
    }

    pub fn prev_url(&self) -> String {
        self.url(self.page - 1)
    }

    pub fn next_url(&self) -> String {
        self.url(self.page + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers() {
        assert_eq!(page_number(Some("3")), 3);
        assert_eq!(page_number(Some("0")), 1);
        assert_eq!(page_number(Some("-2")), 1);
        assert_eq!(page_number(Some("abc")), 1);
        assert_eq!(page_number(Some("99999999999999999999")), 1);
        assert_eq!(page_number(None), 1);
    }

    #[test]
    fn bounds_and_links() {
        let p = Pagination::new(2, 10, 25, "/search?q=x");
        assert_eq!(p.pages(), 3);
        assert_eq!(p.offset(), 10);
        assert_eq!(p.prev_url(), "/search?q=x");
        assert_eq!(p.next_url(), "/search?q=x&page=3");
        assert!(Pagination::new(4, 10, 25, "/").check().is_err());
        assert!(Pagination::new(1, 10, 0, "/").check().is_ok());
    }
}
