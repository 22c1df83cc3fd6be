DROP TABLE sim_callbacks;
DROP TABLE sim_accounts;
DROP TABLE sim_parties;
