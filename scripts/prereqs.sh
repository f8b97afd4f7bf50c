#!/usr/bin/env bash
# Installs what Twin needs on a fresh Debian/Ubuntu machine, when it is missing and this process may:
#   - the .NET 10 SDK must be on PATH (checked; it cannot be installed from Debian's own archive);
#   - PostgreSQL server binaries (initdb, pg_ctl, postgres) from the distribution's `postgresql` package.
# NuGet packages are restored by `dotnet` itself. Idempotent and quiet when everything is there.
set -euo pipefail

if ! command -v dotnet >/dev/null 2>&1; then
  echo "twin: the .NET 10 SDK is missing. Install it (https://learn.microsoft.com/dotnet/core/install/linux-debian," >&2
  echo "      e.g. 'apt-get install dotnet-sdk-10.0' from packages.microsoft.com) and run this again." >&2
  exit 3
fi

have_pg_bins() {
  command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && return 0
  ls /usr/pgsql-*/bin/initdb >/dev/null 2>&1 && return 0
  return 1
}

if ! have_pg_bins; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "twin: PostgreSQL binaries not found; installing the distribution's 'postgresql' package..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null && command -v apt-get >/dev/null 2>&1; then
    echo "twin: PostgreSQL binaries not found; installing 'postgresql' with sudo..." >&2
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "twin: PostgreSQL server binaries (initdb, pg_ctl) are missing and this user cannot install them." >&2
    echo "      Install the 'postgresql' package (e.g. 'sudo apt-get install postgresql'), or point Twin at a" >&2
    echo "      server with TWIN_CONNECTION_STRING, and run this again." >&2
    exit 3
  fi
  have_pg_bins || { echo "twin: installed 'postgresql' but still cannot find initdb" >&2; exit 3; }
fi
