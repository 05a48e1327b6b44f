#!/bin/bash
# The scanner tests (their own issue) will emulate USB HID and CDC-ACM scanners with the USB
# gadget framework on dummy_hcd, and keyboards with uinput. This shows the guest kernel has
# what they need: a dummy UDC, configfs gadgets, and /dev/uinput.
. "$HW_LIB"

modprobe configfs
mountpoint -q /sys/kernel/config || mount -t configfs configfs /sys/kernel/config
for m in dummy_hcd libcomposite usb_f_hid usb_f_acm uinput; do
	modprobe "$m" || hw_fail "modprobe $m"
done
expect_eq "$(ls /sys/class/udc)" dummy_udc.0 "USB device controllers"
[ -d /sys/kernel/config/usb_gadget ] || hw_fail "no usb_gadget in configfs"
hw_pass "configfs usb_gadget present"
[ -c /dev/uinput ] || hw_fail "no /dev/uinput"
hw_pass "/dev/uinput present"
