DROP TABLE api_keys;
DROP TABLE banks;
DROP TABLE merchants;
