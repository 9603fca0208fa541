// Module PDF: see README for its role.
enum PDFModule {}
