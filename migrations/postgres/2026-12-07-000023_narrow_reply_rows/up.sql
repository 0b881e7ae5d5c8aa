-- Replies' long values (text, HTML, the search's tsvector, an attachment's extracted text) are
-- stored out of line (TOAST) whenever a row would pass 2 kB, down to a row of a few hundred
-- bytes, instead of being compressed into the row until it fits under 2 kB.
--
-- Why: a search counts every match, and a GIN index cannot count alone: each match's row is
-- visited, to see whether it is visible, in the caller's workspaces and not discarded. At
-- 100,000 replies of 1.3 kB the rows filled 22,887 pages (179 MB), and counting the 60,004
-- matches of a common word took 122 ms; with narrow rows, 3,031 pages (24 MB) and 31 ms
-- (docs/performance.md, "Searching 100,000 replies"). The texts themselves are read only for a
-- page's snippets and one reply's page.
--
-- CLUSTER rewrites the rows already stored in the new layout (holding the tables' lock while
-- it does), in id order, as they were inserted.
ALTER TABLE inbound_messages SET (toast_tuple_target = 128);
ALTER TABLE inbound_attachments SET (toast_tuple_target = 128);
CLUSTER inbound_messages USING inbound_messages_pkey;
CLUSTER inbound_attachments USING inbound_attachments_pkey;
