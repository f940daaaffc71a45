-- Accent-insensitive full-text search in Spanish and English: "respiracion" finds
-- "respiración", "breathe" finds "Breathing" (unaccent, then the language's stemmer).
-- unaccent is a trusted extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS unaccent;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION amira_es (COPY = pg_catalog.spanish);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION amira_es ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION amira_en (COPY = pg_catalog.english);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION amira_en ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
