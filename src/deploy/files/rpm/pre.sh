# duty-desk（RPM %pre）：升级（$1 ≥ 2）前先备份数据库，做法与 Debian 包的 preinst 相同：
# 旧版程序写一份 升级前-旧版本-时间.redb 到 /var/backups/duty-desk；不成功则不升级
# （确需跳过，设 DESK_SKIP_UPGRADE_BACKUP=1）。
db=/var/lib/duty-desk/desk.redb
if [ "$1" -ge 2 ] && [ -f "$db" ] && [ -x /usr/bin/desk ]; then
    if [ -n "${DESK_SKIP_UPGRADE_BACKUP:-}" ]; then
        echo "duty-desk：已按 DESK_SKIP_UPGRADE_BACKUP 跳过升级前的备份" >&2
    else
        old=$(/usr/bin/desk --version 2>/dev/null | awk '{print $2}' | tr -c 'A-Za-z0-9.+~-' '_')
        name="升级前-${old:-旧版}-$(date -u -d "@$(($(date +%s) + 8 * 3600))" +%Y%m%d-%H%M%S).redb"
        if ! runuser -u duty-desk -- env HOME=/var/lib/duty-desk DESK_SERVER_USER=duty-desk \
            /usr/bin/desk --db "$db" --socket /run/duty-desk/desk.sock backup "$name"; then
            echo "duty-desk：升级前备份数据库失败，未升级。请查明原因（desk doctor）后重试；确需跳过，设 DESK_SKIP_UPGRADE_BACKUP=1" >&2
            exit 1
        fi
        if [ -f "/var/lib/duty-desk/backups/$name" ]; then
            mv "/var/lib/duty-desk/backups/$name" /var/backups/duty-desk/
            rmdir /var/lib/duty-desk/backups 2>/dev/null || true
        fi
    fi
fi
