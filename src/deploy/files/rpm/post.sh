# duty-desk（RPM %post）：服务账号和组（sysusers）、目录及其权限（tmpfiles），与 Debian 包相同；
# 升级（$1 ≥ 2）时重启正在运行的服务端。不改 sshd 的设置，不启动服务：第一次请以 root 运行 desk setup。
if command -v systemd-sysusers >/dev/null 2>&1; then
    systemd-sysusers /usr/lib/sysusers.d/duty-desk.conf
else
    getent group desk >/dev/null || groupadd --system desk
    getent passwd duty-desk >/dev/null || useradd --system --user-group \
        --home-dir /var/lib/duty-desk --no-create-home --shell /sbin/nologin \
        --comment "综治中心值班台服务账号" duty-desk
fi
if command -v systemd-tmpfiles >/dev/null 2>&1; then
    systemd-tmpfiles --create /usr/lib/tmpfiles.d/duty-desk.conf
else
    install -d -o duty-desk -g duty-desk -m 2750 /var/lib/duty-desk
    install -d -o duty-desk -g duty-desk -m 0700 /var/backups/duty-desk
fi
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    [ "$1" -ge 2 ] && systemctl try-restart duty-desk.service
fi
if [ "$1" -eq 1 ]; then
    echo "duty-desk 已安装。第一次使用：以 root 运行 desk setup 登录名 --name 姓名（该账号成为管理员），然后 desk doctor"
fi
exit 0
