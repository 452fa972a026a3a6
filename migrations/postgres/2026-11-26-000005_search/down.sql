DROP INDEX articles_search;
