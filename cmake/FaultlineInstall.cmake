# What `cmake --install` puts under a prefix, and the Debian package CPack makes of it:
#   bin/faultline                  the command (the diagnosis models are embedded in it: EmbedModel.cmake)
#   share/doc/faultline/           README.md, docs/*.md (rule links point at rules.md here: docs_link.h),
#                                  examples/
# `cmake --install build --prefix ~/.local` needs no root; scripts/install does that.
include(GNUInstallDirs)
# Installing (and so packaging: cpack installs first) needs only the faultline target built, not the whole
# test suite; scripts/install builds that target before installing.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
install(TARGETS faultline RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md" PATTERN "*.svg")
install(DIRECTORY examples DESTINATION ${CMAKE_INSTALL_DOCDIR})

# `cpack -G DEB` in the build tree: faultline_<version>_<arch>.deb installing under /usr. Its Depends line is
# computed by dpkg-shlibdeps (dpkg-dev) from the libraries the binary links (LibTorch, XGBoost, OpenBLAS...).
set(CPACK_PACKAGE_NAME faultline)
set(CPACK_PACKAGE_VENDOR "faultline")
set(CPACK_PACKAGE_CONTACT "faultline developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "finds the faulty statements in deep-learning training scripts (language server and CLI)")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
include(CPack)
