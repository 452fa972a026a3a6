DROP INDEX articles_timeline;
CREATE INDEX articles_published_at ON articles (published_at);
CREATE INDEX articles_public ON articles (status, published_at);
