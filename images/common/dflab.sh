# dflab lab shell: prompt, colours and the welcome (sourced by login and
# interactive bash shells; /etc/bash.bashrc sources it too).
if [ -n "${BASH_VERSION:-}" ] && [ -n "${PS1:-}" ]; then
    # The scenario id lands in PS1: keep only characters bash cannot expand.
    _dflab_id=$(printf '%s' "${DFLAB_SCENARIO:-lab}" | tr -cd 'A-Za-z0-9._-' | cut -c1-32)
    PS1='\[\e[1;36m\][lab:'"${_dflab_id:-lab}"']\[\e[0m\] \[\e[1;34m\]\w\[\e[0m\] \$ '
    unset _dflab_id
    alias ls='ls --color=auto' grep='grep --color=auto' ll='ls -l'
    if [ -z "${DFLAB_WELCOMED:-}" ]; then
        export DFLAB_WELCOMED=1
        # The banner in the lab's language (DFLAB_LANG); plain English if the service is away.
        lab welcome 2>/dev/null || printf '\n  %s\n  Evidence (read-only): /evidence    Your work: /work\n  Run '"'"'lab tasks'"'"' to begin.\n\n' "${DFLAB_TITLE:-dflab lab}"
    fi
fi
