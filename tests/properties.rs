//! Property tests: slugs are always well formed, and no input makes the Markdown
//! renderer panic or lets a script through.

use proptest::prelude::*;
use quillbook::blog::markdown::{render_article, render_comment};
use quillbook::blog::slug::{slugify, Slug, MAX_LEN};

proptest! {
    #[test]
    fn slugs_from_any_title_are_well_formed(title in "\\PC{0,200}") {
        let slug = Slug::from_title(&title);
        let s = slug.as_str();
        prop_assert!(!s.is_empty() && s.len() <= MAX_LEN);
        prop_assert!(s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
        prop_assert!(!s.starts_with('-') && !s.ends_with('-') && !s.contains("--"));
        // What the title makes, the editor accepts.
        prop_assert_eq!(Slug::parse(s).map(|p| p.as_str().to_owned()), Ok(s.to_owned()));
        prop_assert!(slug.with_suffix(12345).as_str().len() <= MAX_LEN);
    }

    #[test]
    fn slugify_is_idempotent(text in "\\PC{0,100}") {
        let once = slugify(&text);
        prop_assert_eq!(slugify(&once), once);
    }
}

fn dangerous() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<script>alert(1)</script>".to_owned()),
        Just("<SCRIPT SRC=//evil.example/x.js></SCRIPT>".to_owned()),
        Just("<img src=x onerror=alert(1)>".to_owned()),
        Just("<a href=\"javascript:alert(1)\">x</a>".to_owned()),
        Just("[x](javascript:alert(1))".to_owned()),
        Just("[x](JaVaScRiPt:alert(1))".to_owned()),
        Just("<svg onload=alert(1)>".to_owned()),
        Just("<iframe src=\"https://evil.example\"></iframe>".to_owned()),
        Just("<div style=\"background:url(javascript:alert(1))\">".to_owned()),
        Just("<p onclick=\"x()\">p</p>".to_owned()),
        Just("<object data=x></object>".to_owned()),
        Just("```\n<script>x</script>\n```".to_owned()),
        Just("<input type=\"text\" onfocus=\"x()\" autofocus>".to_owned()),
        Just("<form action=\"https://evil.example\"><button>x</button></form>".to_owned()),
        "\\PC{0,40}",
        "[#*>_`|\\-\\[\\]()!~ \n]{0,40}",
    ]
}

/// The tags of sanitised HTML: text never holds a raw `<` or `>` (they are
/// escaped), so every `<…>` is markup.
fn tags(html: &str) -> impl Iterator<Item = String> + '_ {
    html.split('<')
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or("").to_lowercase())
}

fn assert_safe(html: &str) -> Result<(), TestCaseError> {
    for tag in tags(html) {
        for banned in ["script", "iframe", "object", "form", "svg", "style"] {
            prop_assert!(
                !tag.starts_with(banned) && !tag.starts_with(&format!("/{banned}")),
                "<{}> survived: {}",
                tag,
                html
            );
        }
        prop_assert!(
            !tag.contains("javascript:"),
            "a javascript: URL survived in <{}>",
            tag
        );
        prop_assert!(
            !tag.contains(" style="),
            "a style attribute survived in <{}>",
            tag
        );
        for handler in [" onerror", " onload", " onclick", " onfocus"] {
            prop_assert!(!tag.contains(handler), "{} survived in <{}>", handler, tag);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn no_script_survives_markdown(parts in proptest::collection::vec(dangerous(), 1..8)) {
        let source = parts.join("\n\n");
        let rendered = render_article(&source);
        assert_safe(&rendered.html)?;
        assert_safe(&render_comment(&source))?;
        prop_assert!(rendered.reading_minutes >= 1);
    }

    #[test]
    fn any_text_renders_without_panicking(source in "\\PC{0,300}") {
        let rendered = render_article(&source);
        assert_safe(&rendered.html)?;
        prop_assert!(rendered.excerpt.chars().count() <= 221);
    }
}
