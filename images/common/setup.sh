#!/bin/sh
# Shared by every lab image: the unprivileged trainee, the lab folders and the
# shell profile. Runs once at image build time, as root.
set -eu
groupadd --gid 1000 trainee
useradd --uid 1000 --gid 1000 --home-dir /home/trainee --create-home --shell /bin/bash trainee
mkdir -p /work /evidence /run/dflab
chown trainee:trainee /work
chmod 0755 /evidence /run/dflab
install -m 0644 /opt/dflab/dflab.sh /etc/profile.d/dflab.sh
printf '\n[ -r /etc/profile.d/dflab.sh ] && . /etc/profile.d/dflab.sh\n' >> /etc/bash.bashrc
