-- Public lists, counts and neighbours read articles in (published_at, id) order:
-- one index serves them all. Visibility is `published_at <= now` (drafts have none),
-- so the old (status, published_at) index is no longer used.
DROP INDEX articles_public;
DROP INDEX articles_published_at;
CREATE INDEX articles_timeline ON articles (published_at, id);
