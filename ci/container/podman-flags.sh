# Sourced by ci/container/*.sh: the flags of every podman command here.
# runc (Debian's package) rather than podman's default crun, and the open
# file and process limits given explicitly: on hosts where crun cannot set
# RLIMIT_NOFILE ("setrlimit RLIMIT_NOFILE: Operation not permitted") or
# does not support hybrid cgroups, containers start this way without changing
# the host's containers.conf.
# shellcheck disable=SC2034  # used by the scripts that source this file
podman_global=(--runtime runc)
podman_limits=(--ulimit nofile=20000:20000 --ulimit nproc=32768:32768)
