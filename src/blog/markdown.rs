//! Markdown → sanitised HTML, done once when an article is saved. CommonMark with
//! GFM tables, strikethrough, task lists and footnotes; headings get anchors.
//! ammonia removes only what is unsafe: scripts, event handlers, `javascript:` URLs
//! and raw HTML it cannot trust.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};

/// What saving an article stores next to its source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    /// Plain text of the opening, for lists, feeds and `<meta name=description>`.
    pub excerpt: String,
    /// Lowercased plain text for search.
    pub plain_text: String,
    pub reading_minutes: i32,
}

const EXCERPT_CHARS: usize = 220;
const WORDS_PER_MINUTE: usize = 200;

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

static ARTICLE_SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .attribute_filter(|element, attribute, value| {
            // Task-list checkboxes only: no other form controls.
            if element == "input" && attribute == "type" && value != "checkbox" {
                return None;
            }
            Some(value.into())
        })
        .add_generic_attributes(["id"])
        .add_tag_attributes("code", ["class"])
        .add_tag_attributes("div", ["class"])
        .add_tag_attributes("sup", ["class"])
        .link_rel(Some("nofollow noopener noreferrer"));
    b
});

/// A lowercase, hyphenated anchor for a heading, unique within the document.
fn anchor(text: &str, used: &mut HashMap<String, usize>) -> String {
    let base = super::slug::slugify(text);
    let base = if base.is_empty() {
        "section".to_owned()
    } else {
        base
    };
    let n = used.entry(base.clone()).or_insert(0);
    *n += 1;
    if *n == 1 {
        base
    } else {
        format!("{base}-{n}")
    }
}

/// Renders article Markdown to safe HTML with its excerpt and reading time.
pub fn render_article(source: &str) -> Rendered {
    let events: Vec<Event<'_>> = Parser::new_ext(source, options()).collect();

    // Plain text: everything a reader reads, for search, excerpt and reading time.
    let mut plain = String::new();
    let mut first_paragraph = String::new();
    let mut in_first_paragraph = None::<bool>;
    for event in &events {
        match event {
            Event::Start(Tag::Paragraph) if in_first_paragraph.is_none() => {
                in_first_paragraph = Some(true)
            }
            Event::End(TagEnd::Paragraph) if in_first_paragraph == Some(true) => {
                in_first_paragraph = Some(false)
            }
            Event::Text(t) | Event::Code(t) => {
                plain.push_str(t);
                plain.push(' ');
                if in_first_paragraph == Some(true) {
                    first_paragraph.push_str(t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                plain.push(' ');
                if in_first_paragraph == Some(true) {
                    first_paragraph.push(' ');
                }
            }
            Event::End(_) => plain.push(' '),
            _ => {}
        }
    }

    // Heading anchors: give every heading without an explicit id one made from its text.
    let mut used = HashMap::new();
    let mut with_ids = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading {
            level,
            id: None,
            classes,
            attrs,
        }) = &events[i]
        {
            let mut text = String::new();
            for e in &events[i + 1..] {
                match e {
                    Event::End(TagEnd::Heading(_)) => break,
                    Event::Text(t) | Event::Code(t) => text.push_str(t),
                    _ => {}
                }
            }
            with_ids.push(Event::Start(Tag::Heading {
                level: *level,
                id: Some(CowStr::from(anchor(&text, &mut used))),
                classes: classes.clone(),
                attrs: attrs.clone(),
            }));
        } else {
            with_ids.push(events[i].clone());
        }
        i += 1;
    }
    let mut raw_html = String::with_capacity(source.len() * 2);
    html::push_html(&mut raw_html, with_ids.into_iter());
    let html = ARTICLE_SANITIZER.clean(&raw_html).to_string();

    let words = plain.split_whitespace().count();
    Rendered {
        html,
        excerpt: excerpt(&first_paragraph),
        plain_text: normalise_space(&plain).to_lowercase(),
        reading_minutes: i32::try_from(words.div_ceil(WORDS_PER_MINUTE).max(1)).unwrap_or(i32::MAX),
    }
}

fn normalise_space(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most EXCERPT_CHARS characters, cut at a word boundary.
fn excerpt(text: &str) -> String {
    let text = normalise_space(text);
    if text.chars().count() <= EXCERPT_CHARS {
        return text;
    }
    let cut: String = text.chars().take(EXCERPT_CHARS).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > EXCERPT_CHARS / 2 => &cut[..i],
        _ => &cut[..],
    };
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':']))
}

static COMMENT_TAGS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    [
        "p",
        "br",
        "em",
        "strong",
        "del",
        "code",
        "pre",
        "a",
        "ul",
        "ol",
        "li",
        "blockquote",
    ]
    .into_iter()
    .collect()
});

/// Comments: a small subset (emphasis, links, code, lists, quotes); no images,
/// headings or tables: they are dropped with their markup, their text kept.
pub fn render_comment(source: &str) -> String {
    let events = Parser::new_ext(source, Options::ENABLE_STRIKETHROUGH).map(|event| match event {
        Event::Start(Tag::Heading { .. }) => Event::Start(Tag::Paragraph),
        Event::End(TagEnd::Heading(_)) => Event::End(TagEnd::Paragraph),
        other => other,
    });
    let mut raw = String::new();
    html::push_html(&mut raw, events);
    ammonia::Builder::default()
        .tags(COMMENT_TAGS.clone())
        .link_rel(Some("nofollow noopener noreferrer ugc"))
        .clean(&raw)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_code_footnotes_tasks_and_anchors() {
        let r = render_article(
            "# Hello World\n\nFirst *para*.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```rust\nfn main() {}\n```\n\n- [x] done\n- [ ] todo\n\nNote[^1] ~~old~~\n\n[^1]: The note.\n\n## Hello World\n",
        );
        assert!(r.html.contains(r#"<h1 id="hello-world">"#), "{}", r.html);
        assert!(r.html.contains(r#"<h2 id="hello-world-2">"#), "{}", r.html);
        assert!(r.html.contains("<table>") && r.html.contains("<td>1</td>"));
        assert!(r.html.contains(r#"<code class="language-rust">"#));
        assert!(r.html.contains(r#"type="checkbox""#) && r.html.contains("checked"));
        assert!(r.html.contains("<del>old</del>"));
        assert!(r.html.contains("footnote-definition"));
        assert_eq!(r.excerpt, "First para.");
        assert_eq!(r.reading_minutes, 1);
    }

    #[test]
    fn unsafe_markup_is_removed_and_safe_markup_kept() {
        let r = render_article(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1)) <b onclick=\"x()\">bold</b> <iframe src=//evil></iframe>\n\n[ok](https://example.com)",
        );
        assert!(!r.html.contains("<script"), "{}", r.html);
        assert!(!r.html.contains("onerror"), "{}", r.html);
        assert!(!r.html.contains("onclick"), "{}", r.html);
        assert!(!r.html.contains("javascript:"), "{}", r.html);
        assert!(!r.html.contains("<iframe"), "{}", r.html);
        assert!(r.html.contains("<b>bold</b>"), "{}", r.html);
        assert!(r.html.contains(r#"href="https://example.com""#));
        assert!(r.html.contains("nofollow noopener"));
    }

    #[test]
    fn comments_keep_only_the_small_subset() {
        let html = render_comment("# Big\n\n*hi* [l](https://e.x) ![img](https://e.x/a.png) `c`\n\n- a\n\n<script>x</script>");
        assert!(!html.contains("<h1") && html.contains("Big"));
        assert!(!html.contains("<img"));
        assert!(
            html.contains("<em>hi</em>")
                && html.contains("<code>c</code>")
                && html.contains("<li>a</li>")
        );
        assert!(!html.contains("<script"));
    }

    #[test]
    fn long_excerpts_are_cut_at_a_word() {
        let text = "word ".repeat(100);
        let r = render_article(&text);
        assert!(r.excerpt.ends_with('…'));
        assert!(r.excerpt.chars().count() <= EXCERPT_CHARS + 1);
    }
}
