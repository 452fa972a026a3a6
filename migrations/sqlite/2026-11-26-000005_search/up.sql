-- Full-text search over articles: an FTS5 index kept in step with the articles
-- table by triggers (an external-content table: the text is stored once).
CREATE VIRTUAL TABLE articles_fts USING fts5(
    search_text,
    content = 'articles',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;

CREATE TRIGGER articles_fts_update AFTER UPDATE OF search_text ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO articles_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
