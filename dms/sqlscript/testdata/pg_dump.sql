--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);

/* a block comment /* with a nested one; */ still a comment; */
CREATE FUNCTION public.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();  -- keep; in sync
    RETURN NEW;
END;
$$;

CREATE FUNCTION public.greet(name text) RETURNS text
    LANGUAGE plpgsql AS $body$
BEGIN
  RETURN 'it''s ' || name || $$;$$;
END;
$body$;

COMMENT ON FUNCTION public.greet(text) IS 'says hi; politely';

CREATE TABLE public.users (
    id bigint NOT NULL,
    email text,
    "weird;name" text
);

INSERT INTO public.users (id, email) VALUES (1, E'o\'brien; esq'), (2, 'c:\');
SELECT 5 # 3;
WITH RECURSIVE t(n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM t WHERE n < 5)
SELECT n FROM t; -- five rows
