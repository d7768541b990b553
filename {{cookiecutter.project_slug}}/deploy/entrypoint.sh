#!/usr/bin/env bash
# The image's entrypoint (see the Dockerfile). One image for every way the app runs:
#
#   (no arguments), --flag ...   the app on local Spark: `docker run <image> [--brokers ...]`
#   driver <spark-submit args>   a driver pod: both Spark operators start the image this way
#   executor                     an executor pod; its settings come from SPARK_* variables
#   anything else                run as given, e.g. `docker run -it <image> bash`
#
# Any UID works. Platforms such as OpenShift start the container as a random UID in group 0
# with no passwd entry; Java then sees user.name and user.home as "?", and Hadoop fails the
# streaming query at its checkpoint ("Invalid UID, could not determine effective user").
# So the UID first gets a passwd entry from nss_wrapper, as Apache Spark's own image does.
# Everything the app writes lies in directories that group 0 can write (the Dockerfile);
# nothing needs a writable $HOME.
set -euo pipefail

log() { echo "entrypoint: $*" >&2; }

give_uid_a_passwd_entry() {
  local uid gid wrapper
  uid=$(id -u)
  gid=$(id -g)
  if getent passwd "$uid" >/dev/null; then
    return
  fi
  for wrapper in {/usr,}/lib{/*,}/libnss_wrapper.so; do
    if [ -s "$wrapper" ]; then
      NSS_WRAPPER_PASSWD=$(mktemp)
      NSS_WRAPPER_GROUP=$(mktemp)
      printf 'spark:x:%s:%s:anonymous uid:%s:/usr/sbin/nologin\n' "$uid" "$gid" "${HOME:-/}" \
        > "$NSS_WRAPPER_PASSWD"
      cat /etc/group > "$NSS_WRAPPER_GROUP"
      getent group "$gid" >/dev/null || printf 'spark:x:%s:\n' "$gid" >> "$NSS_WRAPPER_GROUP"
      export LD_PRELOAD="$wrapper${LD_PRELOAD:+ $LD_PRELOAD}" NSS_WRAPPER_PASSWD NSS_WRAPPER_GROUP
      log "UID $uid has no passwd entry: nss_wrapper gives it one (spark, group $gid, home ${HOME:-/})"
      return
    fi
  done
  log "ERROR: UID $uid has no passwd entry and libnss_wrapper.so is missing: install the" \
      "libnss-wrapper package in the image (Spark cannot run as a user without a name)"
  exit 1
}

# pip installs pyspark's launch scripts next to python; SPARK_HOME is the pyspark package.
spark_home() {
  python3 "$(dirname "$(command -v spark-submit)")/find_spark_home.py"
}

give_uid_a_passwd_entry
# The image's Ivy cache (SPARK_JARS_IVY) already holds the connector, so the app and a driver
# start without Maven Central; on the command line this beats a properties file's value.
ivy=(--conf "spark.jars.ivy=$SPARK_JARS_IVY")

case "${1:-}" in
  "" | -*)
    exec spark-submit "${ivy[@]}" "$APP_HOME/python/main.py" "$@"
    ;;
  driver)
    shift
    exec spark-submit "${ivy[@]}" \
      --conf "spark.driver.bindAddress=$SPARK_DRIVER_BIND_ADDRESS" \
      --conf "spark.executorEnv.SPARK_DRIVER_POD_IP=$SPARK_DRIVER_BIND_ADDRESS" \
      --deploy-mode client "$@"
    ;;
  executor)
    shift
    SPARK_HOME=${SPARK_HOME:-$(spark_home)}
    # As Spark's own image builds it; PWD holds the jars and files the executor fetches.
    classpath="${SPARK_CONF_DIR:-}:${HADOOP_CONF_DIR:-}:${SPARK_CLASSPATH:-}:$SPARK_HOME/jars/*"
    classpath="$classpath:$PWD:${SPARK_DIST_CLASSPATH:-}"
    java_opts=()
    for name in "${!SPARK_JAVA_OPT_@}"; do  # the JVM options the driver sets for its executors
      java_opts+=("${!name}")
    done
    exec java "${java_opts[@]}" -Xms"$SPARK_EXECUTOR_MEMORY" -Xmx"$SPARK_EXECUTOR_MEMORY" \
      -cp "$classpath" org.apache.spark.scheduler.cluster.k8s.KubernetesExecutorBackend \
      --driver-url "$SPARK_DRIVER_URL" --executor-id "$SPARK_EXECUTOR_ID" \
      --cores "$SPARK_EXECUTOR_CORES" --app-id "$SPARK_APPLICATION_ID" \
      --hostname "$SPARK_EXECUTOR_POD_IP" --resourceProfileId "$SPARK_RESOURCE_PROFILE_ID" \
      --podName "$SPARK_EXECUTOR_POD_NAME" "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
