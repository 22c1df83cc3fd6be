"""Settings from the environment, and secrets from files where an engine mounts them (SPEC §9)."""

from shared.platform.config import Settings


def settings_with(tmp_path, files: dict, **env) -> Settings:
    for name, value in files.items():
        (tmp_path / name).write_text(value + "\n")
    return Settings.from_env({"SECRETS_DIR": str(tmp_path), **env})


def test_a_secret_comes_from_its_file_when_the_environment_has_none(tmp_path):
    config = settings_with(tmp_path, {"admin-api-key": "key-from-file", "platform-secret": "secret-from-file"})
    assert (config.admin_api_key, config.platform_secret) == ("key-from-file", b"secret-from-file")


def test_the_environment_wins_over_a_file(tmp_path):
    config = settings_with(tmp_path, {"admin-api-key": "key-from-file"}, ADMIN_API_KEY="key-from-env")
    assert config.admin_api_key == "key-from-env"


def test_a_password_file_completes_a_url_without_one(tmp_path):
    config = settings_with(
        tmp_path,
        {"write-database-password": "p@ss:/w", "amqp-password": "rabbit"},
        WRITE_DATABASE_URL="postgresql+pg8000://receipts@db:5432/receipts_write",
        READ_DATABASE_URL="postgresql+pg8000://receipts:own@db:5432/receipts_read",
        AMQP_URL="amqp://receipts@broker:5672/%2F",
    )
    assert config.write_database_url == "postgresql+pg8000://receipts:p%40ss%3A%2Fw@db:5432/receipts_write"
    assert config.read_database_url == "postgresql+pg8000://receipts:own@db:5432/receipts_read"  # its own wins
    assert config.amqp_url == "amqp://receipts:rabbit@broker:5672/%2F"


def test_no_secrets_folder_means_no_secrets(tmp_path):
    config = Settings.from_env({"SECRETS_DIR": str(tmp_path / "absent")})
    assert (config.admin_api_key, config.platform_secret) == (None, None)
