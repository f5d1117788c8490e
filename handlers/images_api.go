package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"tftsr/domain"
)

// handleAPIImageList is list_image_attachments: an incident's images, oldest first.
func (s *Server) handleAPIImageList(c echo.Context) error {
	images := s.images
	items, err := images.FindImages(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(items, len(items)))
}

// handleAPIImageUpload is upload_image_attachment: one image in the multipart field "file", with
// pii_warning_acknowledged=true.
func (s *Server) handleAPIImageUpload(c echo.Context) error {
	images := s.images
	files, ack, err := s.readImageForm(c, images.Limits.MaxBytes)
	if err != nil {
		return err
	}
	if len(files) != 1 {
		return domain.Errorf(domain.EINVALID, "Send one image in the multipart field \"file\".")
	}
	img, err := images.Upload(c.Request().Context(), c.Param("id"), domain.ImageUpload{
		FileName: files[0].name, Data: files[0].data, PIIWarningAcknowledged: ack,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, img)
}

// handleAPIImagePaste is upload_paste_image: {base64_data, file_name, pii_warning_acknowledged},
// where base64_data is base64 or a data: URL.
func (s *Server) handleAPIImagePaste(c echo.Context) error {
	images := s.images
	var in domain.ImagePaste
	if err := bindJSON(c, &in); err != nil {
		return err
	}
	img, err := images.UploadPaste(c.Request().Context(), c.Param("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, img)
}

// handleAPIImageDelete is delete_image_attachment: the row, the image and its thumbnail go.
func (s *Server) handleAPIImageDelete(c echo.Context) error {
	images := s.images
	if _, err := images.Delete(c.Request().Context(), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// handleAPIImageData is get_image_attachment_data: {"data_url": "data:image/png;base64,…"}.
func (s *Server) handleAPIImageData(c echo.Context) error {
	images := s.images
	dataURL, err := images.ImageDataURL(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"data_url": dataURL})
}

// handleAPIImageSearch is list_all_image_attachments: images across incidents, newest first,
// with their incident's title, found by file name and filtered by incident.
func (s *Server) handleAPIImageSearch(c echo.Context) error {
	images := s.images
	page, perPage, err := pageParams(c)
	if err != nil {
		return err
	}
	items, total, err := images.FindAllImages(c.Request().Context(), domain.ImageFilter{
		Search: c.QueryParam("search"), IssueID: c.QueryParam("issue_id"), Page: page, PerPage: perPage,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newList(items, total))
}
