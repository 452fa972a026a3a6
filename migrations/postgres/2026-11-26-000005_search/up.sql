-- Full-text search over articles: a GIN index on the words of the stored search
-- text ('simple': no stemming, the same words SQLite's FTS5 index finds).
CREATE INDEX articles_search ON articles USING GIN (to_tsvector('simple', search_text));
