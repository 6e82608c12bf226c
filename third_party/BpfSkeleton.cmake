# visnet_bpf_skeleton(<target> <source.bpf.c>)
# Compiles an eBPF program with clang -target bpf and generates its libbpf
# skeleton header <name>.skel.h with bpftool. <target> is an INTERFACE
# library whose include directory holds the skeleton.
string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR}" _vn_arch)
if(_vn_arch MATCHES "x86_64|amd64")
  set(VISNET_BPF_ARCH x86)
elseif(_vn_arch MATCHES "aarch64|arm64")
  set(VISNET_BPF_ARCH arm64)
else()
  set(VISNET_BPF_ARCH ${_vn_arch})
endif()

# -mcpu=v3: atomic exchange and compare-and-swap (Linux 5.12 and later).
# NAME <n>: the object and skeleton are <n>.bpf.o and <n>.skel.h (default:
# the source's name); DEFINES: macros for the BPF compile.
function(visnet_bpf_skeleton target src)
  cmake_parse_arguments(ARG "" "NAME" "DEFINES" ${ARGN})
  get_filename_component(name ${src} NAME_WE)
  if(ARG_NAME)
    set(name ${ARG_NAME})
  endif()
  set(defs "")
  foreach(d ${ARG_DEFINES})
    list(APPEND defs -D${d})
  endforeach()
  set(obj ${CMAKE_CURRENT_BINARY_DIR}/${name}.bpf.o)
  set(skel ${CMAKE_CURRENT_BINARY_DIR}/${name}.skel.h)
  file(GLOB bpf_headers ${CMAKE_CURRENT_SOURCE_DIR}/*.h)
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${BPF_CLANG} -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_${VISNET_BPF_ARCH} ${defs}
            -Wall -Werror -Wno-unused-function
            -I${CMAKE_CURRENT_SOURCE_DIR} ${LIBBPF_INCLUDE_DIRS}
            -c ${CMAKE_CURRENT_SOURCE_DIR}/${src} -o ${obj}
    DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${src} ${bpf_headers}
    COMMENT "BPF ${name}"
    VERBATIM)
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${BPFTOOL} gen skeleton ${obj} name ${name}_bpf > ${skel}
    DEPENDS ${obj}
    COMMENT "skeleton ${name}.skel.h"
    VERBATIM)
  add_custom_target(${target}_gen DEPENDS ${skel})
  add_library(${target} INTERFACE)
  add_dependencies(${target} ${target}_gen)
  target_include_directories(${target} INTERFACE ${CMAKE_CURRENT_BINARY_DIR})
  # the generated skeleton calls libbpf
  target_link_libraries(${target} INTERFACE PkgConfig::LIBBPF)
endfunction()
