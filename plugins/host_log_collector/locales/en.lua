return {
   sshd_title = "SSH authentication failures",
   sshd_description = "sshd: failed passwords and invalid users, per source address, over a threshold within a window",
   sudo_title = "sudo activity",
   sudo_description = "sudo: authentication failures, wrong passwords and the commands run",
   su_title = "su failures",
   su_description = "su: failed attempts to switch user",
   kernel_title = "Kernel problems",
   kernel_description = "kernel: processes killed for lack of memory, segmentation faults",
}
