# duty-desk（RPM %postun）：卸载（$1 = 0）保留数据库、备份、服务账号和组（见 Debian 包的 postrm）。
if [ "$1" -eq 0 ]; then
    [ -d /run/systemd/system ] && systemctl daemon-reload
    rmdir /var/lib/duty-desk /var/backups/duty-desk 2>/dev/null
    echo "duty-desk 已卸载；数据库和备份（若有）仍在 /var/lib/duty-desk、/var/backups/duty-desk"
fi
exit 0
