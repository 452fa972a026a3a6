-- Blog: articles (Markdown source kept as typed, sanitised HTML rendered on save),
-- tags and their links, and comments (counted on list pages).
CREATE TABLE articles (
    id BIGSERIAL PRIMARY KEY,
    author_id BIGINT NOT NULL REFERENCES users (id),
    title TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    body_source TEXT NOT NULL,
    body_html TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    search_text TEXT NOT NULL,
    reading_minutes INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'scheduled')),
    publish_at TIMESTAMP,
    -- When the article is (or will be) public: set for published and scheduled ones.
    published_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX articles_public ON articles (status, published_at);
CREATE INDEX articles_published_at ON articles (published_at);
CREATE INDEX articles_author ON articles (author_id, published_at);
CREATE INDEX articles_updated ON articles (updated_at);

CREATE TABLE tags (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE
);

CREATE TABLE article_tags (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (article_id, tag_id)
);
CREATE INDEX article_tags_tag ON article_tags (tag_id, article_id);

CREATE TABLE comments (
    id BIGSERIAL PRIMARY KEY,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    author_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body_source TEXT NOT NULL,
    body_html TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'spam', 'deleted')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX comments_article ON comments (article_id, status, created_at);
CREATE INDEX comments_status ON comments (status, created_at);
CREATE INDEX comments_author ON comments (author_id, status);
