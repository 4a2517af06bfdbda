# duty-desk（RPM %preun）：卸载（$1 = 0）前停止服务端和每日备份；升级时不停。
if [ "$1" -eq 0 ] && [ -d /run/systemd/system ]; then
    systemctl disable --now duty-desk-backup.timer duty-desk.service >/dev/null 2>&1 || true
fi
exit 0
