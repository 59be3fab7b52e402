from functools import lru_cache
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_", env_file=".env", extra="ignore")
    secret_key: str
    environment: str = "development"
    allowed_origins: list[str] = Field(default_factory=list)

@lru_cache
def get_settings() -> Settings:
    return Settings()
