DROP INDEX receipt_views_with_warnings;
UPDATE receipt_views SET extras = extras - 'kind';
